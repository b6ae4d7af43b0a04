using KvAspire.Node.StateMachine;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Storage;

/// <summary>
/// Takes a snapshot once <c>Storage:SnapshotEntries</c> entries have been applied since the last
/// one. The host loop only captures the store (copying references); serializing, fsync and rename
/// run on the thread pool, one snapshot at a time, so writes are not held up.
/// </summary>
public sealed class SnapshotScheduler(ISnapshotStore snapshots, long everyEntries, ILogger logger)
{
    private Task _running = Task.CompletedTask;
    private long _lastIndex = snapshots.Latest?.Index ?? 0;

    /// <summary>Host loop: called after entries were applied; <paramref name="termAt"/> reads the log's term for an index.</summary>
    public void MaybeStart(KvStore store, Func<long, long?> termAt)
    {
        if (store.AppliedIndex - _lastIndex < everyEntries || !_running.IsCompleted)
            return;
        var snapshot = store.Capture();
        var term = termAt(snapshot.AppliedIndex) ?? throw new InvalidOperationException($"No term for applied index {snapshot.AppliedIndex}.");
        _lastIndex = snapshot.AppliedIndex;
        _running = Task.Run(() => Save(snapshot, term));
    }

    /// <summary>Waits for a snapshot in progress (on shutdown, so none is cut off).</summary>
    public Task WhenIdle() => _running;

    private void Save(StoreSnapshot snapshot, long term)
    {
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            var saved = snapshots.Save(snapshot.AppliedIndex, term, snapshot.AppliedDigest, snapshot.WriteTo);
            Log.SnapshotSaved(logger, saved.Index, saved.Term, snapshot.Items.Count, saved.Bytes,
                TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (IOException e)
        {
            // The log still holds every entry: a failed snapshot loses nothing and is retried later.
            _lastIndex = 0;
            Log.SnapshotFailed(logger, snapshot.AppliedIndex, e);
        }
    }
}
