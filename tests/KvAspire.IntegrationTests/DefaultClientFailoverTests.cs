using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>
/// StackExchange.Redis with default options (every node's endpoint and the password, nothing else) follows
/// a failover by itself: the nodes announce each new primary on <c>__Booksleeve_MasterChanged</c>, which
/// makes the multiplexer re-read every node's role. The client is never told to reconnect or reconfigure.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DefaultClientFailoverTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const string StepDownCommand = "kv-step-down";
    /// <summary>Generous, for a busy 2-core machine; how fast it really is, bench/ measures.</summary>
    private static readonly TimeSpan FollowTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task DefaultMultiplexer_SendsWritesToTheNewPrimary_AfterThePrimaryIsKilled()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await ConnectWithDefaultsAsync();
        await using var writer = WriteLoop.Start(redis.GetDatabase(), "default-client-kill");
        await writer.WaitForSuccessAfterAsync(Stopwatch.GetTimestamp(), FollowTimeout, "a write before the kill");

        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, () => AssertWritesReachTheNewPrimaryAsync(before, writer));
    }

    [Fact]
    public async Task DefaultMultiplexer_SendsWritesToTheNewPrimary_AfterAStepDown()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await ConnectWithDefaultsAsync();
        await using var writer = WriteLoop.Start(redis.GetDatabase(), "default-client-step-down");
        await writer.WaitForSuccessAfterAsync(Stopwatch.GetTimestamp(), FollowTimeout, "a write before the step-down");

        var result = await cluster.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(before.Node, StepDownCommand);

        Assert.True(result.Success, $"step-down failed: {result.Message}");
        // The command returns once another node is primary; the old one's ROLE says so at once.
        var oldRole = await redis.GetServer(cluster.RespEndpoint(before.Node)).RoleAsync();
        Assert.Equal("slave", oldRole.Value);
        await AssertWritesReachTheNewPrimaryAsync(before, writer);
        await cluster.WaitForSettledClusterAsync(FailoverTimeout);
    }

    /// <summary>Waits for another node to be primary, then for a write the client started after that to succeed.</summary>
    private async Task AssertWritesReachTheNewPrimaryAsync(ClusterStatus before, WriteLoop writer)
    {
        var elected = await Eventually.ResultAsync("another node to become primary", FailoverTimeout, async () =>
        {
            foreach (var (name, client) in cluster.Nodes.Where(n => n.Key != before.Node))
            {
                if (await ClusterFixture.StatusAsync(client) is { Role: Role.Primary } status)
                    return status;
            }
            return null;
        });
        var electedAt = Stopwatch.GetTimestamp();

        var followed = await writer.WaitForSuccessAfterAsync(electedAt, FollowTimeout, $"a write to the new primary {elected.Node}");

        output.WriteLine($"{before.Node} -> {elected.Node} (term {elected.Term}): first write started after the election was seen " +
            $"succeeded {Stopwatch.GetElapsedTime(electedAt, followed).TotalMilliseconds:0} ms later; failed writes: {writer.Failures}");
    }

    private async Task<ConnectionMultiplexer> ConnectWithDefaultsAsync()
    {
        var options = new ConfigurationOptions { Password = cluster.Password };
        foreach (var node in ClusterFixture.NodeNames)
            options.EndPoints.Add(cluster.RespEndpoint(node));
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
