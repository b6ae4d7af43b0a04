using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

public class RaftLogTests
{
    [Fact]
    public void TryAppend_Rejects_WhenPreviousTermDiffers()
    {
        var log = new RaftLog(default, Log(1, 1, 2));

        var appended = log.TryAppend(prevIndex: 3, prevTerm: 3, [new Entry(4, 3, Bytes("x"))], commitIndex: 0);

        Assert.False(appended);
        Assert.Equal(3, log.LastIndex);
        Assert.False(log.HasUnpersisted);
    }

    [Fact]
    public void TryAppend_Rejects_WhenPreviousIndexIsBeyondTheLog()
    {
        var log = new RaftLog(default, Log(1, 1));

        Assert.False(log.TryAppend(prevIndex: 3, prevTerm: 1, [new Entry(4, 1, Bytes("x"))], commitIndex: 0));
        Assert.Equal(2, log.LastIndex);
    }

    [Fact]
    public void TryAppend_FromTheEmptyPrefix_AppendsEverything()
    {
        var log = new RaftLog(default, []);

        Assert.True(log.TryAppend(0, 0, Log(1, 1, 2), commitIndex: 0));

        Assert.Equal(3, log.LastIndex);
        Assert.Equal(2, log.LastTerm);
    }

    [Fact]
    public void TryAppend_KeepsEntriesItAlreadyHolds_AndEntriesBeyondAShortMessage()
    {
        // Raft §5.3: only a conflict truncates; a delayed, shorter message must not cut the log back.
        var log = new RaftLog(default, Log(1, 1, 2, 2));

        Assert.True(log.TryAppend(1, 1, [Log(1, 1, 2, 2)[1]], commitIndex: 0));

        Assert.Equal(4, log.LastIndex);
        Assert.False(log.HasUnpersisted);
    }

    [Fact]
    public void TryAppend_ReplacesTheLogFromTheFirstConflictingEntry()
    {
        var log = new RaftLog(default, Log(1, 1, 2, 2, 2));
        var incoming = new[] { new Entry(2, 1, Bytes("same")), new Entry(3, 3, Bytes("new3")), new Entry(4, 3, Bytes("new4")) };

        Assert.True(log.TryAppend(1, 1, incoming, commitIndex: 1));

        Assert.Equal(4, log.LastIndex);
        Assert.Equal([1, 1, 3, 3], Enumerable.Range(1, 4).Select(i => log.TermAt(i)!.Value));
        var (_, truncateFrom, entries) = log.TakeUnpersisted();
        Assert.Equal(3, truncateFrom);
        Assert.Equal([3L, 4L], entries.Select(e => e.Index));
        Assert.False(log.HasUnpersisted);
    }

    [Fact]
    public void TryAppend_Throws_WhenAskedToTruncateACommittedEntry()
    {
        var log = new RaftLog(default, Log(1, 1, 2));

        var error = Assert.Throws<InvalidOperationException>(
            () => log.TryAppend(1, 1, [new Entry(2, 3, Bytes("conflict"))], commitIndex: 2));

        Assert.Contains("committed", error.Message);
    }

    [Fact]
    public void TruncatedEntries_AreNoLongerDurable_UntilTheReplacementIsPersisted()
    {
        var log = new RaftLog(default, Log(1, 1, 1));
        Assert.Equal(3, log.DurableIndex);

        log.TryAppend(1, 1, [new Entry(2, 2, Bytes("x"))], commitIndex: 0);
        var (_, truncateFrom, entries) = log.TakeUnpersisted();
        log.MarkDurable(null, truncateFrom, []);
        Assert.Equal(1, log.DurableIndex);

        log.MarkDurable(null, null, entries);
        Assert.Equal(2, log.DurableIndex);
    }

    [Fact]
    public void TermAt_IsZeroForTheEmptyPrefix_AndNullBeyondTheLog()
    {
        var log = new RaftLog(default, Log(4));

        Assert.Equal(0, log.TermAt(0));
        Assert.Equal(4, log.TermAt(1));
        Assert.Null(log.TermAt(2));
        Assert.Null(log.TermAt(-1));
    }

    [Fact]
    public void IsUpToDate_ComparesLastTermFirst_ThenLength()
    {
        // Raft §5.4.1
        var log = new RaftLog(default, Log(1, 2, 2));

        Assert.True(log.IsUpToDate(lastIndex: 1, lastTerm: 3));
        Assert.True(log.IsUpToDate(lastIndex: 3, lastTerm: 2));
        Assert.False(log.IsUpToDate(lastIndex: 2, lastTerm: 2));
        Assert.False(log.IsUpToDate(lastIndex: 9, lastTerm: 1));
    }

    [Fact]
    public void Constructor_Rejects_ANonContiguousLog() =>
        Assert.Throws<ArgumentException>(() => new RaftLog(default, [new Entry(1, 1, Bytes("x")), new Entry(3, 1, Bytes("y"))]));

    [Fact]
    public void Slice_RespectsCountAndBytes_ButAlwaysReturnsOneEntry()
    {
        var log = new RaftLog(default, [new Entry(1, 1, new byte[10]), new Entry(2, 1, new byte[10]), new Entry(3, 1, new byte[10])]);

        Assert.Equal(2, log.Slice(1, maxCount: 2, maxBytes: 1000).Count);
        Assert.Equal(2, log.Slice(1, maxCount: 10, maxBytes: 25).Count);
        Assert.Single(log.Slice(1, maxCount: 10, maxBytes: 1));
        Assert.Empty(log.Slice(4, maxCount: 10, maxBytes: 1000));
    }

    [Fact]
    public void Compact_ForgetsEntriesThroughTheSnapshot_ButKeepsTheTermOfItsLastOne()
    {
        var log = new RaftLog(default, Log(1, 1, 2, 2, 3));

        log.Compact(3);

        Assert.Equal(new SnapshotMarker(3, 2), log.Start);
        Assert.Null(log.TermAt(2));
        Assert.Equal(2, log.TermAt(3));
        Assert.Equal(3, log.TermAt(5));
        Assert.Equal(5, log.LastIndex);
        Assert.Equal([4L, 5L], log.Slice(4, 10, 1000).Select(e => e.Index));
        Assert.Equal([5L], log.Range(5, 5).Select(e => e.Index));
        Assert.Equal(5, log[5].Index);
    }

    [Fact]
    public void Compact_NeverGoesBack_AndRefusesEntriesNotYetHandedOverToPersist()
    {
        var log = new RaftLog(default, Log(1, 1));
        log.Compact(2);
        log.Compact(1);
        Assert.Equal(2, log.Start.Index);

        log.Append(1, Bytes("new"));

        Assert.Throws<InvalidOperationException>(() => log.Compact(3));
    }

    [Fact]
    public void CompactedLog_KeepsAcceptingAppendsAndConflictTruncation()
    {
        var log = new RaftLog(default, Log(1, 1, 1, 2));
        log.Compact(2);

        Assert.True(log.TryAppend(2, 1, [new Entry(3, 1, Bytes("same")), new Entry(4, 3, Bytes("new"))], commitIndex: 2));

        Assert.Equal(3, log.TermAt(4));
        var (_, truncateFrom, entries) = log.TakeUnpersisted();
        Assert.Equal(4, truncateFrom);
        Assert.Equal([4L], entries.Select(e => e.Index));
    }

    [Fact]
    public void Restore_ReplacesEverything_AndHandsTheSnapshotOverBeforeLaterEntries()
    {
        var log = new RaftLog(default, Log(1, 1, 1));

        log.Restore(new SnapshotMarker(10, 4));
        Assert.True(log.TryAppend(10, 4, [new Entry(11, 4, Bytes("after"))], commitIndex: 10));

        Assert.Equal(11, log.LastIndex);
        Assert.Null(log.TermAt(3));
        var (restore, truncateFrom, entries) = log.TakeUnpersisted();
        Assert.Equal(new SnapshotMarker(10, 4), restore);
        Assert.Null(truncateFrom);
        Assert.Equal([11L], entries.Select(e => e.Index));
        log.MarkDurable(restore, truncateFrom, entries);
        Assert.Equal(11, log.DurableIndex);
        Assert.False(log.HasUnpersisted);
    }

    [Fact]
    public void Constructor_StartsAfterASnapshot()
    {
        var log = new RaftLog(new SnapshotMarker(7, 2), [new Entry(8, 3, Bytes("x"))]);

        Assert.Equal(8, log.LastIndex);
        Assert.Equal(2, log.TermAt(7));
        Assert.Throws<ArgumentException>(() => new RaftLog(new SnapshotMarker(7, 2), [new Entry(9, 3, Bytes("x"))]));
    }
}
