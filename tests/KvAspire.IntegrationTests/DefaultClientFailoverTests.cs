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

        ClusterFixture.Kill(before.ProcessId);
        try
        {
            await AssertWritesReachTheNewPrimaryAsync(before, writer);
        }
        finally
        {
            // Other tests in the collection expect three nodes.
            await cluster.StartAsync(before.Node, RejoinTimeout);
            await cluster.WaitForSettledClusterAsync(RejoinTimeout);
        }
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
        await AssertWritesReachTheNewPrimaryAsync(before, writer);
        await cluster.WaitForSettledClusterAsync(FailoverTimeout);
    }

    /// <summary>Waits for another node to be primary, then for a write the client started after that to succeed.</summary>
    private async Task AssertWritesReachTheNewPrimaryAsync(NodeStatus before, WriteLoop writer)
    {
        var elected = await Eventually.ResultAsync("another node to become primary", FailoverTimeout, async () =>
        {
            foreach (var (name, client) in cluster.Nodes.Where(n => n.Key != before.Node))
            {
                if (await ClusterFixture.StatusAsync(client) is { Role: "Primary" } status)
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

    /// <summary>
    /// Starts a SET every 20 ms without waiting for the one before, so a write stuck on the dead primary
    /// does not hold back the next; records when each successful write was started.
    /// </summary>
    private sealed class WriteLoop : IAsyncDisposable
    {
        private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<long> _succeededStarts = [];
        private Task _loop = Task.CompletedTask;
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public static WriteLoop Start(IDatabase db, string prefix)
        {
            var loop = new WriteLoop();
            loop._loop = loop.RunAsync(db, prefix);
            return loop;
        }

        /// <summary>The start time of the first successful write started at or after <paramref name="since"/>.</summary>
        public async Task<long> WaitForSuccessAfterAsync(long since, TimeSpan timeout, string what)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                lock (_succeededStarts)
                {
                    foreach (var started in _succeededStarts)
                    {
                        if (started >= since)
                            return started;
                    }
                }
                await Task.Delay(Interval);
            }
            throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s ({Failures} writes failed meanwhile)");
        }

        private async Task RunAsync(IDatabase db, string prefix)
        {
            var pending = new List<Task>();
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                pending.Add(WriteAsync(db, $"{prefix}:{i}"));
                pending.RemoveAll(t => t.IsCompleted);
                await Task.Delay(Interval);
            }
            await Task.WhenAll(pending);
        }

        private async Task WriteAsync(IDatabase db, string key)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await db.StringSetAsync(key, "v");
                lock (_succeededStarts)
                    _succeededStarts.Add(started);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Interlocked.Increment(ref _failures);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _loop;
            _stop.Dispose();
        }
    }
}
