using System.Net;
using Xunit.Abstractions;

namespace KvAspire.Node.Tests.Durability;

/// <summary>Under a write load that never ends, the log on disk stays bounded: snapshots let old segments go.</summary>
public sealed class CompactionTests(ITestOutputHelper output) : IDisposable
{
    private const int Writes = 3000;
    private const int SnapshotEntries = 100;
    private const int CatchUpEntries = 50;
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-compact-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task LogOnDisk_StaysBounded_WhileWritesGoOn_AndEveryKeySurvivesARestart()
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage__SnapshotEntries"] = SnapshotEntries.ToString(),
            ["Storage__CatchUpEntries"] = CatchUpEntries.ToString(),
            ["Storage__SegmentBytes"] = "4096",
        };
        var value = new string('v', 100);
        long written = 0;
        await using (var node = await NodeProcess.StartAsync(_directory, settings))
        {
            for (var i = 0; i < Writes; i++)
            {
                using var put = await node.Client.PutAsync($"/kv/key-{i % 500}", new StringContent($"{i}:{value}"));
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                written += 150;
            }
            var status = await node.StatusAsync();
            var logBytes = status.GetProperty("logBytes").GetInt64();
            var logStart = status.GetProperty("logStart").GetInt64();
            output.WriteLine($"{Writes} writes (~{written / 1024} KiB of entries): log on disk {logBytes} bytes, log starts after entry {logStart}");

            // The log keeps what follows the newest snapshot's catch-up point, plus at most a segment's slack.
            Assert.True(logStart >= Writes - SnapshotEntries - CatchUpEntries - 100, $"the log still starts after entry {logStart}");
            Assert.True(logBytes < 64 * 1024, $"the log takes {logBytes} bytes on disk");
            // A snapshot begun by the last writes may still be on its way (a temp file, or renamed with the older
            // one not yet deleted); once it lands only one is left.
            await ProcessCluster.WaitUntilAsync(() => Task.FromResult(Directory.GetFiles(Path.Combine(_directory, "snapshots")).Length == 1),
                SnapshotTimeout, "single snapshot file");
        }

        await using var restarted = await NodeProcess.StartAsync(_directory, settings);
        for (var key = 0; key < 500; key++)
        {
            var last = Enumerable.Range(0, Writes).Last(i => i % 500 == key);
            Assert.Equal($"{last}:{value}", await restarted.Client.GetStringAsync($"/kv/key-{key}"));
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
