using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using KvAspire.Node.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// A disk that stops taking writes stops the node loudly: waiting clients hear at once (not at their 10 s
/// timeout), the host loop ends with the I/O error and the exit code says so; a snapshot that keeps failing
/// is retried a bounded number of times, not for ever while the log grows.
/// </summary>
[Collection(nameof(ExitCodeCollection))]
public sealed class DiskFaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-diskfault-").FullName;

    [Fact]
    public async Task FailedFsync_FailsTheWaitingWrite_AtOnce_AndStopsTheNode_WithTheDiskExitCode()
    {
        FailingFsync? log = null;
        var node = TestHost.Create("node1", _directory, new ConfigurationBuilder().Build(), new NoPeers(),
            logStore: real => log = new FailingFsync(real));
        await node.Host.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilAsync(() => node.Host.Status.ServesReads, "the single node becomes primary");
            Assert.IsType<WriteOutcome.Written>(await node.Host.ProposeAsync(Set("a"), Acknowledge.Quorum));

            log!.Fail = true;
            var started = TimeProvider.System.GetTimestamp();
            var outcome = await node.Host.ProposeAsync(Set("b"), Acknowledge.Quorum);

            Assert.IsType<WriteOutcome.PrimaryLost>(outcome);
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "the write waited for its timeout");
            var loop = node.Host.ExecuteTask!;
            await Assert.ThrowsAsync<IOException>(() => loop.WaitAsync(Patience));
            Assert.Equal(NodeExitCodes.DiskFailed, Environment.ExitCode);
            Assert.IsType<WriteOutcome.NotPrimary>(await node.Host.ProposeAsync(Set("c"), Acknowledge.Quorum));
        }
        finally
        {
            Environment.ExitCode = 0;
            await node.Host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task FailingSnapshots_AreRetriedWithBackoff_AndGiveUpAfterMaxAttempts()
    {
        var time = new FakeTimeProvider();
        var attempts = new List<int>();
        var options = new StorageOptions { DataDirectory = _directory, SnapshotEntries = 1 };
        var scheduler = new SnapshotScheduler(new FailingSnapshots(new FileSnapshotStore(_directory)), options, _ => { },
            (_, attempt) => attempts.Add(attempt), NullLogger.Instance, time);
        var store = new KvAspire.Node.StateMachine.KvStore();

        for (var index = 1; index <= 40; index++)
        {
            var entry = new Entry(index, 1, ReadOnlyMemory<byte>.Empty);
            store.Apply(entry);
            scheduler.Applied(entry);
            scheduler.MaybeStart(store, _ => 1);
            await scheduler.WhenIdle();
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        // 40 batches over 20 s: without the backoff, 40 attempts; with it, at 0, 1, 3, 7 and 15 s, then no more.
        Assert.Equal([1, 2, 3, 4, 5], attempts);
    }

    private static byte[] Set(string key) => KvAspire.Node.StateMachine.KvCommand.Set(key, new byte[] { 1 }, null, timestampMs: 0).Encode();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Patience.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"timed out after {Patience.TotalSeconds} s waiting until {what}");
            await Task.Delay(20);
        }
    }

    private sealed class FailingSnapshots(ISnapshotStore inner) : ISnapshotStore
    {
        public SnapshotMetadata? Latest => inner.Latest;
        public SnapshotMetadata Save(long index, long term, ulong digest, Action<Stream> writeBody) =>
            throw new IOException("No space left on device (injected)");
        public (SnapshotMetadata Snapshot, Stream File)? OpenLatest() => inner.OpenLatest();
        public Task<SnapshotMetadata> ReceiveAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> file, CancellationToken cancellationToken) =>
            inner.ReceiveAsync(file, cancellationToken);
        public void Discard(SnapshotMetadata received) => inner.Discard(received);
        public SnapshotMetadata Install(SnapshotMetadata received) => inner.Install(received);
        public T ReadBody<T>(SnapshotMetadata snapshot, Func<Stream, T> read) => inner.ReadBody(snapshot, read);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

/// <summary>Tests that set the process's exit code run alone.</summary>
[CollectionDefinition(nameof(ExitCodeCollection), DisableParallelization = true)]
public sealed class ExitCodeCollection;
