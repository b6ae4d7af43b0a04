using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvAspire.Node.Tests.Storage;

public sealed class LogRecoveryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-recovery-" + Guid.NewGuid().ToString("N"));

    private static List<Entry> Entries(long from, long to, long term = 1) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new Entry(i, term, new byte[8]))];

    private SegmentedLogStore StoreWith(List<Entry> entries)
    {
        var store = new SegmentedLogStore(_directory, 4096, NullLogger.Instance);
        store.Load();
        if (entries.Count > 0)
        {
            store.ResetAfter(entries[0].Index - 1);
            store.Append(entries);
        }
        return store;
    }

    [Fact]
    public void LogStartingBeforeTheSnapshot_ContinuesAfterIt()
    {
        using var store = StoreWith(Entries(1, 30));

        var after = LogRecovery.EntriesAfter(new SnapshotMarker(20, 1), "snap", Entries(1, 30), store, NullLogger.Instance);

        Assert.Equal(Enumerable.Range(21, 10).Select(i => (long)i), after.Select(e => e.Index));
    }

    [Fact]
    public void LogStartingRightAfterTheSnapshot_IsKeptWhole()
    {
        using var store = StoreWith(Entries(21, 30));

        Assert.Equal(10, LogRecovery.EntriesAfter(new SnapshotMarker(20, 1), "snap", Entries(21, 30), store, NullLogger.Instance).Count);
    }

    [Fact]
    public void GapBetweenSnapshotAndLog_IsCorruption()
    {
        using var store = StoreWith(Entries(25, 30));

        var error = Assert.Throws<CorruptLogException>(
            () => LogRecovery.EntriesAfter(new SnapshotMarker(20, 1), "snap", Entries(25, 30), store, NullLogger.Instance));

        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void LogSupersededByAnInstalledSnapshot_IsDropped_AndAppendsContinueAfterTheSnapshot()
    {
        // A crash after installing the primary's snapshot (index 50, term 3) but before dropping the old log.
        var old = Entries(1, 30);
        using var store = StoreWith(old);

        var after = LogRecovery.EntriesAfter(new SnapshotMarker(50, 3), "snap", old, store, NullLogger.Instance);
        store.Append(Entries(51, 51, term: 3));

        Assert.Empty(after);
        Assert.Equal(51, store.LastIndex);
    }

    [Fact]
    public void LogDisagreeingWithTheSnapshotsLastEntry_IsDropped()
    {
        var old = Entries(1, 30, term: 1);
        using var store = StoreWith(old);

        Assert.Empty(LogRecovery.EntriesAfter(new SnapshotMarker(20, 2), "snap", old, store, NullLogger.Instance));
        Assert.Equal(20, store.LastIndex);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
