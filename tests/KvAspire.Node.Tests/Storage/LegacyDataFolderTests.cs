using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Tests.StateMachine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvAspire.Node.Tests.Storage;

/// <summary>A data folder written before typed values, deadlines and revisions existed still starts a node.</summary>
public sealed class LegacyDataFolderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-legacy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task ASnapshotAndLogInTheOldFormat_Load_AndNewWritesGetRevisions()
    {
        var body = LegacyFormat.SnapshotBody([("from-snapshot", "s"u8.ToArray(), "text/plain"), ("overwritten", "old"u8.ToArray(), null)]);
        new FileHardStateStore(_directory).Save(new HardState(1, "node1"));
        new FileSnapshotStore(_directory).Save(2, 1, 0x1234, stream => stream.Write(body));
        using (var log = new SegmentedLogStore(_directory, 1 << 20, NullLogger.Instance))
        {
            log.Load();
            log.Append([
                new Entry(1, 1, LegacyFormat.Set("from-snapshot", "s"u8.ToArray(), "text/plain", 1)),
                new Entry(2, 1, LegacyFormat.Set("overwritten", "old"u8.ToArray(), null, 1)),
                new Entry(3, 1, LegacyFormat.Set("from-log", "l"u8.ToArray(), null, 2)),
                new Entry(4, 1, LegacyFormat.Set("overwritten", "new"u8.ToArray(), null, 3, op: 3)),
                new Entry(5, 1, LegacyFormat.Set("overwritten", "newer"u8.ToArray(), null, 4, op: 4)),
            ]);
            log.Flush(durable: true);
        }

        var node = TestHost.Create("node1", _directory, new ConfigurationBuilder().Build(), new NoPeers());
        await node.Host.StartAsync(CancellationToken.None);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (node.Host.Status is not { Role: Role.Primary, ServesReads: true })
                await node.Host.StatusChanged.WaitAsync(timeout.Token);
            var written = await node.Commands.SetAsync("fresh", "f"u8.ToArray(), null, null, CancellationToken.None);

            Assert.Equal("s", Value(node.Store, "from-snapshot"));
            Assert.Equal("text/plain", ((StringValue)node.Store.Get("from-snapshot")!).ContentType);
            Assert.Equal("l", Value(node.Store, "from-log"));
            Assert.Equal("newer", Value(node.Store, "overwritten"));
            Assert.Equal(0, node.Store.Get("from-log")!.Revision);
            Assert.Equal(((KvAspire.Node.Cluster.WriteOutcome.Written)written).Index, node.Store.Get("fresh")!.Revision);
        }
        finally
        {
            await node.Host.StopAsync(CancellationToken.None);
            node.Host.Dispose();
        }
    }

    private static string Value(KvStore store, string key) =>
        System.Text.Encoding.UTF8.GetString(((StringValue)store.Get(key)!).Value.Span);
}
