using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// Applies the fsync policy to the log store. Under <see cref="FsyncPolicy.Always"/> the entries of a Ready whose
/// durability may follow (<see cref="Ready.DurabilityMayFollow"/>: a primary's, which count towards a quorum only once
/// durable, and a secondary's, which it acknowledges only once durable) are written and forced to disk by
/// <see cref="GroupCommit"/> beside the loop and reported through <c>durable</c>; any other Ready is written at once and
/// waits for the disk (with whatever was left unsynced), because its messages may promise what it wrote: a vote, a
/// truncation.
/// <see cref="FsyncPolicy.EverySecond"/> syncs within a second, <see cref="FsyncPolicy.Never"/> leaves it to the
/// operating system. Host loop only.
/// </summary>
public sealed class DurableLog : IDisposable
{
    private static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(1);
    private readonly ILogStore _store;
    private readonly FsyncPolicy _policy;
    private readonly TimeProvider _time;
    private readonly GroupCommit? _groupCommit;
    private long _lastSync;
    private bool _unsynced;

    /// <param name="durable">Called on the group-commit thread: the log is durable through (index, term), or the fsync failed.</param>
    public DurableLog(ILogStore store, FsyncPolicy policy, TimeProvider time, Action<long, long, Exception?> durable)
    {
        _store = store;
        _policy = policy;
        _time = time;
        _lastSync = time.GetTimestamp();
        _groupCommit = policy == FsyncPolicy.Always ? new GroupCommit(durable) : null;
    }

    public long SizeBytes => _store.SizeBytes;

    /// <summary>
    /// Writes the Ready's truncation and entries (after dropping the whole log for an installed snapshot), or hands the
    /// entries' write to the group commit. Returns whether its entries are durable under the policy now; false when the
    /// group commit will report them.
    /// </summary>
    public bool Persist(Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
            _store.ResetAfter(snapshot.Index);
        if (ready.TruncateFrom is { } from)
            _store.TruncateFrom(from);
        if (ready.EntriesToPersist.Count > 0)
            _store.Append(ready.EntriesToPersist);

        if (_groupCommit is not null && ready.DurabilityMayFollow)
        {
            if (ready.EntriesToPersist.Count == 0)
                return true;
            var last = ready.EntriesToPersist[^1];
            _groupCommit.Request(_store.WriteLater(), last.Index, last.Term);
            _unsynced = true;
            return false;
        }
        if (ready.TruncateFrom is null && ready.EntriesToPersist.Count == 0 && !(_unsynced && _policy == FsyncPolicy.Always))
            return true;
        var durable = _policy == FsyncPolicy.Always;
        _store.Flush(durable);
        _unsynced = !durable;
        if (durable)
            _lastSync = _time.GetTimestamp();
        return true;
    }

    public void Compact(long through) => _store.Compact(through);

    /// <summary>Called on every tick: the once-a-second fsync of <see cref="FsyncPolicy.EverySecond"/>.</summary>
    public void OnTick()
    {
        if (!_unsynced || _policy != FsyncPolicy.EverySecond || _time.GetElapsedTime(_lastSync) < SyncInterval)
            return;
        _store.Flush(durable: true);
        _unsynced = false;
        _lastSync = _time.GetTimestamp();
    }

    /// <summary>Finishes the group commit in progress, if any, and stops its thread.</summary>
    public void Dispose() => _groupCommit?.Dispose();
}
