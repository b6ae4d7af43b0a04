using System.Collections.Concurrent;
using System.Net;
using Xunit.Abstractions;

namespace KvAspire.Node.Tests.Durability;

/// <summary>SIGKILL a node while it takes writes, restart it, and check what its disk kept.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Rounds = 20;
    private const int Writers = 4;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-crash-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task EveryAcknowledgedWrite_SurvivesSigkill_AndNothingIsAppliedTwice()
    {
        var random = new Random(20261127);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var attempted = new ConcurrentDictionary<string, string>();
        var next = 0;

        for (var round = 0; round < Rounds; round++)
        {
            var node = await NodeProcess.StartAsync(_directory);
            await AssertStateAsync(node, acknowledged, attempted, round);

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    var (key, value) = ($"k{n}", $"value-{n}");
                    attempted[key] = value;
                    try
                    {
                        using var put = await node.Client.PutAsync($"/kv/{key}", new StringContent(value));
                        if (put.StatusCode == HttpStatusCode.OK)
                            acknowledged[key] = value;
                    }
                    catch (HttpRequestException)
                    {
                        return; // the node is gone
                    }
                }
            })).ToList();

            await Task.Delay(random.Next(50, 400));
            await node.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await node.DisposeAsync();
        }

        await using var last = await NodeProcess.StartAsync(_directory);
        await AssertStateAsync(last, acknowledged, attempted, Rounds);
        output.WriteLine($"{Rounds} SIGKILLs; {acknowledged.Count} acknowledged writes of {attempted.Count} attempted all survived");
    }

    /// <summary>
    /// Every acknowledged key has its value; an unacknowledged one is either absent or has its own
    /// value; and the log holds exactly one entry per present key plus one no-op per term, so no
    /// write was recovered or applied twice.
    /// </summary>
    private static async Task AssertStateAsync(NodeProcess node, IReadOnlyDictionary<string, string> acknowledged,
        IReadOnlyDictionary<string, string> attempted, int round)
    {
        var present = 0;
        foreach (var (key, value) in attempted)
        {
            using var get = await node.Client.GetAsync($"/kv/{key}");
            if (get.StatusCode == HttpStatusCode.NotFound)
            {
                Assert.False(acknowledged.ContainsKey(key), $"round {round}: acknowledged write {key} was lost");
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(value, await get.Content.ReadAsStringAsync());
            present++;
        }
        var status = await node.StatusAsync();
        Assert.Equal(present, status.GetProperty("keys").GetInt32());
        Assert.Equal(present + status.GetProperty("term").GetInt64(), status.GetProperty("lastLogIndex").GetInt64());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
