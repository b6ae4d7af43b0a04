using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// Applies the fsync policy to the log store: what a <see cref="Ready"/> asks to persist is written
/// at once, and forced to disk before the Ready's messages leave (<see cref="FsyncPolicy.Always"/>) or
/// within a second (<see cref="FsyncPolicy.EverySecond"/>). Host loop only.
/// </summary>
public sealed class DurableLog(ILogStore store, FsyncPolicy policy, TimeProvider time)
{
    private static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);
    private long _lastSync = time.GetTimestamp();
    private bool _unsynced;

    public long SizeBytes => store.SizeBytes;

    /// <summary>Writes the Ready's truncation and entries (after dropping the whole log for an installed
    /// snapshot); returns once they are durable under the policy.</summary>
    public void Persist(Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
            store.ResetAfter(snapshot.Index);
        if (ready.TruncateFrom is { } from)
            store.TruncateFrom(from);
        if (ready.EntriesToPersist.Count > 0)
            store.Append(ready.EntriesToPersist);
        if (ready.TruncateFrom is null && ready.EntriesToPersist.Count == 0)
            return;
        var durable = policy == FsyncPolicy.Always;
        store.Flush(durable);
        _unsynced = !durable;
        if (durable)
            _lastSync = time.GetTimestamp();
    }

    public void Compact(long through) => store.Compact(through);

    /// <summary>Called on every tick: the once-a-second fsync of <see cref="FsyncPolicy.EverySecond"/>.</summary>
    public void OnTick()
    {
        if (!_unsynced || policy != FsyncPolicy.EverySecond || time.GetElapsedTime(_lastSync) < SyncInterval)
            return;
        store.Flush(durable: true);
        _unsynced = false;
        _lastSync = time.GetTimestamp();
    }
}
