using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// How much log a node keeps behind a snapshot, so a secondary that lags briefly catches up from the log
/// instead of being sent the whole snapshot: at most <c>Storage:CatchUpEntries</c> entries and at most
/// <c>Storage:CatchUpBytes</c> bytes of them, whichever keeps less. Entries can be up to the value limit
/// each, so a count alone would let the window reach gigabytes of memory and disk.
/// </summary>
public static class CatchUpWindow
{
    /// <summary>The index to compact through once a snapshot covers <paramref name="snapshotIndex"/>.</summary>
    public static long CompactThrough(RaftLog log, long snapshotIndex, long keepEntries, long keepBytes)
    {
        var byCount = Math.Max(0, snapshotIndex - keepEntries);
        long bytes = 0;
        for (var index = snapshotIndex; index > Math.Max(byCount, log.Start.Index); index--)
        {
            bytes += log[index].Data.Length;
            if (bytes > keepBytes)
                return index;
        }
        return Math.Max(byCount, log.Start.Index);
    }
}
