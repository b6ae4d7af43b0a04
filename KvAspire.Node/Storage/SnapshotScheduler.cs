using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Storage;

/// <summary>
/// Takes a snapshot once <c>Storage:SnapshotEntries</c> entries or <c>Storage:SnapshotBytes</c> bytes
/// have been applied since the last one. The host loop only marks the point in time (<see cref="KvStore.BeginCapture"/>);
/// building the copy, serializing, fsync and rename run on the thread pool, one snapshot at a time, so writes are not held
/// up. <paramref name="saved"/> is called on that thread with each snapshot once it is durable. A failed
/// save is reported to <paramref name="failed"/> with how many failed in a row and retried after 1, 2, 4, 8 s;
/// after the <see cref="MaxAttempts"/>th the host stops the node, since without snapshots the log would
/// grow until the disk is full.
/// </summary>
public sealed class SnapshotScheduler(ISnapshotStore snapshots, StorageOptions options, Action<SnapshotMetadata> saved,
    Action<IOException, int> failed, ILogger logger, TimeProvider time)
{
    public const int MaxAttempts = 5;

    private Task _running = Task.CompletedTask;
    private long _entriesSince;
    private long _bytesSince;
    private volatile bool _retry;
    private int _failures;
    private long _retryAt;

    /// <summary>Host loop: an entry was applied to the store.</summary>
    public void Applied(Entry entry)
    {
        _entriesSince++;
        _bytesSince += entry.Data.Length;
    }

    /// <summary>Host loop: the store was replaced by a snapshot from the primary, which counts as one.</summary>
    public void Installed()
    {
        _entriesSince = 0;
        _bytesSince = 0;
    }

    /// <summary>Host loop: called after entries were applied; <paramref name="termAt"/> reads the log's term for an index.</summary>
    public void MaybeStart(KvStore store, Func<long, long?> termAt)
    {
        var due = _retry ? time.GetTimestamp() >= Volatile.Read(ref _retryAt)
            : _entriesSince >= options.SnapshotEntries || _bytesSince >= options.SnapshotBytes;
        if (!due || !_running.IsCompleted || Volatile.Read(ref _failures) >= MaxAttempts || store.AppliedIndex <= (snapshots.Latest?.Index ?? 0))
            return;
        var captureStarted = TimeProvider.System.GetTimestamp();
        // The loop only marks the point in time; the copy is built beside it while entries go on applying.
        var capture = store.BeginCapture();
        var held = TimeProvider.System.GetElapsedTime(captureStarted);
        var term = termAt(capture.AppliedIndex) ?? throw new InvalidOperationException($"No term for applied index {capture.AppliedIndex}.");
        _entriesSince = 0;
        _bytesSince = 0;
        _retry = false;
        _running = Task.Run(() => Save(capture.Complete(), term, held));
    }

    /// <summary>Waits for a snapshot in progress (on shutdown, so none is cut off).</summary>
    public Task WhenIdle() => _running;

    private void Save(StoreSnapshot snapshot, long term, TimeSpan capture)
    {
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            var metadata = snapshots.Save(snapshot.AppliedIndex, term, snapshot.AppliedDigest, snapshot.WriteTo);
            Log.SnapshotSaved(logger, metadata.Index, metadata.Term, snapshot.Items.Count, metadata.Bytes,
                TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, capture.TotalMilliseconds);
            _failures = 0;
            saved(metadata);
        }
        catch (IOException e)
        {
            // The log still holds every entry: a failed snapshot loses nothing and is retried later, but not
            // for ever.
            var failures = ++_failures;
            Log.SnapshotFailed(logger, snapshot.AppliedIndex, failures, MaxAttempts, e);
            failed(e, failures);
            if (failures >= MaxAttempts)
                return;
            Volatile.Write(ref _retryAt, time.GetTimestamp() + (long)(time.TimestampFrequency * Math.Pow(2, failures - 1)));
            _retry = true;
        }
    }
}
