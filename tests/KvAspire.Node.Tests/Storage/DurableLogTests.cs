using System.Collections.Concurrent;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

/// <summary>
/// The fsync policy against a recording store: under Always a primary's new entries are synced beside the
/// loop and reported, while any other Ready waits for the disk, including for what a primary left unsynced.
/// </summary>
public sealed class DurableLogTests : IDisposable
{
    /// <summary>Generous: how long a test waits for the group-commit thread's report.</summary>
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(30);

    private readonly RecordingStore _store = new();
    private readonly BlockingCollection<(long Index, long Term, Exception? Failure)> _reports = [];
    private readonly DurableLog _log;

    public DurableLogTests() =>
        _log = new DurableLog(_store, FsyncPolicy.Always, TimeProvider.System, (index, term, failure) => _reports.Add((index, term, failure)));

    public void Dispose() => _log.Dispose();

    private static Ready ReadyOf(Role role, long term, params Entry[] entries) => new()
    {
        SoftState = new SoftState(role, term, role == Role.Primary ? "a" : "b", 0),
        EntriesToPersist = entries,
    };

    private static Entry EntryAt(long index, long term) => new(index, term, new byte[] { 1 });

    private (long Index, long Term, Exception? Failure) NextReport()
    {
        Assert.True(_reports.TryTake(out var report, ReportTimeout), $"no durability report within {ReportTimeout}");
        return report;
    }

    [Fact]
    public void PrimarysEntries_AreWrittenAtOnce_AndReportedDurableByTheGroupCommit()
    {
        var durableNow = _log.Persist(ReadyOf(Role.Primary, 2, EntryAt(1, 2), EntryAt(2, 2)));

        Assert.False(durableNow);
        Assert.Equal([1, 2], _store.Appended);
        Assert.Equal((2, 2, null), NextReport());
        Assert.Equal(1, _store.BackgroundSyncs);
        Assert.Empty(_store.InlineDurableFlushes);
    }

    [Fact]
    public void SecondarysEntries_AreDurableBeforePersistReturns()
    {
        Assert.True(_log.Persist(ReadyOf(Role.Secondary, 2, EntryAt(1, 2))));

        Assert.Equal([true], _store.InlineDurableFlushes);
        Assert.Equal(0, _store.BackgroundSyncs);
    }

    [Fact]
    public void AfterAPrimaryWroteUnsynced_AReadyThatMayPromiseWaitsForTheDisk_EvenWithNothingOfItsOwn()
    {
        _log.Persist(ReadyOf(Role.Primary, 2, EntryAt(1, 2)));
        NextReport();

        // Stepped down: this Ready's acknowledgement or vote may promise entry 1.
        Assert.True(_log.Persist(ReadyOf(Role.Secondary, 3)));

        Assert.Equal([true], _store.InlineDurableFlushes);
        Assert.True(_log.Persist(ReadyOf(Role.Secondary, 3)));
        Assert.Single(_store.InlineDurableFlushes);
    }

    [Fact]
    public void AFailedFsync_IsReportedWithItsException()
    {
        _store.FailSync = true;

        _log.Persist(ReadyOf(Role.Primary, 2, EntryAt(1, 2)));

        Assert.IsType<IOException>(NextReport().Failure);
    }

    private sealed class RecordingStore : ILogStore
    {
        private int _backgroundSyncs;

        public List<long> Appended { get; } = [];
        public List<bool> InlineDurableFlushes { get; } = [];
        public int BackgroundSyncs => Volatile.Read(ref _backgroundSyncs);
        public bool FailSync { get; set; }
        public long SizeBytes => 0;

        public IReadOnlyList<Entry> Load() => [];
        public void Append(IReadOnlyList<Entry> entries) => Appended.AddRange(entries.Select(e => e.Index));
        public void TruncateFrom(long index) { }
        public void Compact(long through) { }
        public void ResetAfter(long snapshotIndex) { }

        public void Flush(bool durable)
        {
            if (durable)
                InlineDurableFlushes.Add(durable);
        }

        public Action SyncLater() => () =>
        {
            if (FailSync)
                throw new IOException("fsync: input/output error");
            Interlocked.Increment(ref _backgroundSyncs);
        };

        public void Dispose() { }
    }
}
