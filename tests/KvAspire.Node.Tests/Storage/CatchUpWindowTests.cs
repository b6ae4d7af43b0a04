using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

public sealed class CatchUpWindowTests
{
    private const int MiB = 1024 * 1024;

    /// <summary>Entries 1..<paramref name="count"/> of <paramref name="bytes"/> each, after a log start of <paramref name="start"/>.</summary>
    private static RaftLog LogOf(int count, int bytes, long start = 0) =>
        new(new SnapshotMarker(start, start > 0 ? 1 : 0),
            Enumerable.Range(1, count).Select(i => new Entry(start + i, 1, new byte[bytes])));

    [Fact]
    public void SmallEntries_KeepTheCountBehindTheSnapshot()
    {
        var log = LogOf(1000, 100);

        Assert.Equal(900 - 50, CatchUpWindow.CompactThrough(log, snapshotIndex: 900, keepEntries: 50, keepBytes: 64 * MiB));
    }

    [Fact]
    public void LargeEntries_KeepNoMoreBytesThanAllowed()
    {
        var log = LogOf(100, 16 * MiB);

        // Four 16 MiB entries fit in 64 MiB; the fifth would not.
        Assert.Equal(90 - 4, CatchUpWindow.CompactThrough(log, snapshotIndex: 90, keepEntries: 10_000, keepBytes: 64 * MiB));
    }

    [Fact]
    public void NothingKept_CompactsThroughTheSnapshot()
    {
        var log = LogOf(20, 10);

        Assert.Equal(20, CatchUpWindow.CompactThrough(log, snapshotIndex: 20, keepEntries: 0, keepBytes: 64 * MiB));
        Assert.Equal(20, CatchUpWindow.CompactThrough(log, snapshotIndex: 20, keepEntries: 100, keepBytes: 0));
    }

    [Fact]
    public void ALogAlreadyCompacted_IsNotReadBeforeItsStart()
    {
        var log = LogOf(50, 1000, start: 100);

        Assert.Equal(100, CatchUpWindow.CompactThrough(log, snapshotIndex: 150, keepEntries: 10_000, keepBytes: 64 * MiB));
    }
}
