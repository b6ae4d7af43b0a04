using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Cluster;

/// <summary>What a restarted node resumes from: its vote and term, the snapshot already restored into the store, and the
/// log entries that follow that snapshot.</summary>
public sealed record RecoveredState(HardState HardState, SnapshotMarker Snapshot, IReadOnlyList<Entry> Entries);

/// <summary>
/// Reads back what a node kept on disk, before its <see cref="RaftHost"/> exists: the host is built from the result, so
/// nothing can reach its loop (a peer, a client, a health probe) until recovery has finished. Damaged data throws a
/// <see cref="DamagedDataException"/>, which stops the node (<see cref="NodeExitCodes.DamagedData"/>).
/// </summary>
public static class NodeRecovery
{
    /// <summary>Loads the hard state, restores the newest snapshot into <paramref name="store"/> and lines the log up behind it.</summary>
    public static RecoveredState Recover(IHardStateStore hardStateStore, ISnapshotStore snapshots, ILogStore logStore, KvStore store,
        StorageOptions storage, ILogger logger)
    {
        var hardState = hardStateStore.Load();
        var snapshot = RestoreSnapshot(snapshots, store, logger);
        var entries = LogRecovery.EntriesAfter(snapshot, snapshots.Latest?.Path ?? Path.Combine(storage.DataDirectory, "log"),
            logStore.Load(), logStore, logger);
        return new RecoveredState(hardState, snapshot, entries);
    }

    /// <summary>Loads the newest snapshot into the store; returns what it covers (nothing for none).</summary>
    private static SnapshotMarker RestoreSnapshot(ISnapshotStore snapshots, KvStore store, ILogger logger)
    {
        if (snapshots.Latest is not { } latest)
            return default;
        store.Restore(snapshots.ReadStore(latest));
        Log.SnapshotRestored(logger, store.Count, latest.Index, latest.Term);
        return new SnapshotMarker(latest.Index, latest.Term);
    }
}
