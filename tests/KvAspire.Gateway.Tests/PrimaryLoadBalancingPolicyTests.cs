using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace KvAspire.Gateway.Tests;

public sealed class PrimaryLoadBalancingPolicyTests : IDisposable
{
    private readonly ServiceProvider metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrimaryTracker tracker;
    private readonly PrimaryLoadBalancingPolicy policy;
    private readonly DestinationState[] destinations = [new("node1"), new("node2"), new("node3")];
    private readonly ClusterState cluster = new("nodes");
    private readonly DefaultHttpContext context = new();

    public PrimaryLoadBalancingPolicyTests()
    {
        tracker = new PrimaryTracker(
            [.. destinations.Select(d => new ClusterNode(d.DestinationId, new Uri($"http://{d.DestinationId}:8080")))],
            new HttpClient(), Options.Create(new GatewayOptions()), NullLogger<PrimaryTracker>.Instance,
            new GatewayTelemetry(metrics.GetRequiredService<IMeterFactory>()));
        policy = new PrimaryLoadBalancingPolicy(tracker);
    }

    public void Dispose()
    {
        tracker.Dispose();
        metrics.Dispose();
    }

    [Fact]
    public void PicksThePrimary_AndNobodyWithoutOne()
    {
        Assert.Null(policy.PickDestination(context, cluster, destinations));

        tracker.ObserveNotPrimary("node1", primaryHint: "node2", term: 5);

        Assert.Same(destinations[1], policy.PickDestination(context, cluster, destinations));
    }

    [Fact]
    public void PickingADestination_AllocatesNothing()
    {
        tracker.ObserveNotPrimary("node1", primaryHint: "node3", term: 5);
        policy.PickDestination(context, cluster, destinations); // the first call may allocate once (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            policy.PickDestination(context, cluster, destinations);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
