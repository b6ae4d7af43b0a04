using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KvAspire.Gateway.Tests;

/// <summary>What the gateway does for every request it forwards, beyond forwarding it: which connections, logs and metrics.</summary>
public sealed class GatewayForwardingCostTests : IAsyncLifetime
{
    private FakeNode node = null!;

    public async Task InitializeAsync() => node = await FakeNode.StartAsync("node1");

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public void Forwarding_AsksNodesForHttp11Exactly_OverAnUnboundedPool()
    {
        var cluster = Assert.Single(ProxyRoutes.Clusters([new ClusterNode("node1", node.Address)], new GatewayOptions()));

        Assert.Equal(HttpVersion.Version11, cluster.HttpRequest?.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, cluster.HttpRequest?.VersionPolicy);
        Assert.Null(cluster.HttpClient?.MaxConnectionsPerServer);
    }

    [Fact]
    public void ForwardedRequests_AreNotLoggedOneByOne()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("services:node1:http:0", (string?)node.Address.ToString())]);
        builder.AddServiceDefaults();
        builder.AddPrimaryFollowingProxy();
        using var gateway = builder.Build();

        var forwarder = gateway.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Yarp.ReverseProxy.Forwarder.HttpForwarder");

        Assert.False(forwarder.IsEnabled(LogLevel.Information));
        Assert.True(forwarder.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public async Task AForwardedRequest_IsTimedOnce_AsTheGatewaysServerRequest()
    {
        node.BecomePrimary(term: 1);
        await using var gateway = await TestGateway.StartAsync([
            KeyValuePair.Create("services:node1:http:0", (string?)node.Address.ToString()),
            KeyValuePair.Create("Gateway:PollInterval", (string?)"00:00:00.100")]);
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        await WaitUntilForwardedAsync(client);

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("http_server_request_duration_seconds_count{", metrics);
        Assert.DoesNotContain("http_client_request_duration", metrics);
        Assert.DoesNotContain("http_client_active_requests", metrics);
    }

    private static async Task WaitUntilForwardedAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await client.PutAsync("/kv/a", new ByteArrayContent([1]));
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not forward a PUT within 10 s (last answer {(int)response.StatusCode})");
            await Task.Delay(20);
        }
    }
}
