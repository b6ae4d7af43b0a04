using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Storage;

/// <summary>
/// Lines the recovered log up behind the recovered snapshot at start-up. The log may start before the
/// snapshot's end (compaction deletes whole files) or have been superseded by it (a snapshot installed
/// from the primary, with a crash before the old log was dropped); it must never leave a gap.
/// </summary>
public static class LogRecovery
{
    /// <summary>The recovered entries that follow <paramref name="snapshot"/>; drops a superseded log from <paramref name="store"/>.</summary>
    public static IReadOnlyList<Entry> EntriesAfter(SnapshotMarker snapshot, string snapshotPath, IReadOnlyList<Entry> entries,
        ILogStore store, ILogger logger)
    {
        if (entries.Count == 0)
        {
            if (snapshot.Index > 0)
                store.ResetAfter(snapshot.Index); // so the next entry appended is the one after the snapshot
            return entries;
        }
        var (first, last) = (entries[0].Index, entries[^1].Index);
        if (first > snapshot.Index + 1)
            throw new CorruptLogException(snapshotPath, 0,
                $"the snapshot ends at entry {snapshot.Index} but the log starts at entry {first}: entries in between are missing");
        if (first == snapshot.Index + 1)
            return entries;
        if (snapshot.Index <= last && entries[(int)(snapshot.Index - first)].Term == snapshot.Term)
            return entries.Skip((int)(snapshot.Index - first + 1)).ToList();
        // The log does not contain the snapshot's last entry, so nothing in it follows the snapshot: it is
        // older state the snapshot replaced (or, without Storage:Fsync=Always, a tail lost in a crash).
        Log.StaleLogDropped(logger, first, last, snapshot.Index, snapshot.Term);
        store.ResetAfter(snapshot.Index);
        return [];
    }
}
