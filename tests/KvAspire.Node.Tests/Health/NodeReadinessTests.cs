using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Health;
using KvAspire.Node.Tests.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Health;

/// <summary>Readiness on real host loops (fast timings: 600 ms election timeout at most).</summary>
public sealed class NodeReadinessTests
{
    [Fact]
    public async Task Node_IsReadyWithAPrimary_UnreadyOnceCutOffLongerThanAnElectionTimeout_ReadyAgainWhenBack()
    {
        await using var cluster = new InProcessCluster("n1", "n2", "n3");
        await cluster.StartAsync();
        var primary = await cluster.WaitForPrimaryAsync();
        var secondary = new[] { "n1", "n2", "n3" }.First(n => n != primary.Node);
        using var readiness = await StartReadinessAsync(cluster.Host(secondary));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(readiness)).Status);

        cluster.Block(secondary);
        var cutOff = await InProcessCluster.WaitAsync("the cut-off secondary to be unready", () => UnhealthyDescription(readiness));
        cluster.Unblock(secondary);
        await InProcessCluster.WaitAsync("the secondary to be ready again", () => Healthy(readiness));

        Assert.Contains("known no primary", cutOff);
    }

    [Fact]
    public async Task Node_IsUnreadyWhileItReceivesASnapshot_AndReadyAgainWhenThatEnds()
    {
        await using var cluster = new InProcessCluster("n1", "n2", "n3");
        await cluster.StartAsync();
        var primary = await cluster.WaitForPrimaryAsync();
        var secondary = new[] { "n1", "n2", "n3" }.First(n => n != primary.Node);
        var host = cluster.Host(secondary);
        using var readiness = await StartReadinessAsync(host);
        await InProcessCluster.WaitAsync("the secondary to be ready", () => Healthy(readiness));

        // What PeerService does when the primary starts streaming a snapshot to it.
        Assert.True(host.Syncing.TryBegin(primary.Node, snapshotIndex: 1_000_000, bytesTotal: 1 << 20));
        var syncing = await InProcessCluster.WaitAsync("the syncing secondary to be unready", () => UnhealthyDescription(readiness));
        host.Syncing.Abandoned();
        await InProcessCluster.WaitAsync("the secondary to be ready again", () => Healthy(readiness));

        Assert.Contains("syncing", syncing);
    }

    [Fact]
    public async Task NodeThatHasJustStarted_IsGivenAnElectionTimeoutBeforeItCountsAsCutOff()
    {
        await using var cluster = new InProcessCluster("n1", "n2", "n3");
        using var readiness = await StartReadinessAsync(cluster.Host("n1"));

        var result = await CheckAsync(readiness);

        Assert.Null(cluster.Status("n1").Primary);
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    private static async Task<NodeReadiness> StartReadinessAsync(RaftHost host)
    {
        var readiness = new NodeReadiness(host, Options.Create(new ClusterOptions { Timing = ClusterTiming.Fast }), TimeProvider.System);
        await readiness.StartAsync(CancellationToken.None);
        return readiness;
    }

    private static async Task<HealthCheckResult> CheckAsync(NodeReadiness readiness) =>
        await readiness.CheckHealthAsync(new HealthCheckContext());

    // The check completes synchronously: it only reads the host's published status.
    private static string? UnhealthyDescription(NodeReadiness readiness) =>
        CheckAsync(readiness).GetAwaiter().GetResult() is { Status: HealthStatus.Unhealthy } result ? result.Description : null;

    private static string? Healthy(NodeReadiness readiness) =>
        CheckAsync(readiness).GetAwaiter().GetResult().Status == HealthStatus.Healthy ? "ready" : null;
}
