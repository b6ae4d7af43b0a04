using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Holds a snapshot received from the primary until the core asks for it in a <see cref="Ready"/>, then makes it this
/// node's state. Host loop only.
/// </summary>
internal sealed class SnapshotInstaller(ISnapshotStore snapshotStore, KvStore store, SnapshotScheduler snapshots, ILogger logger)
{
    private SnapshotMetadata? _received;
    private PreparedStore? _receivedState;

    /// <summary>The snapshot the next <see cref="Install"/> expects: <paramref name="received"/>, whole on disk, holding <paramref name="state"/>.</summary>
    public void Hold(SnapshotMetadata received, PreparedStore state)
    {
        _received = received;
        _receivedState = state;
    }

    /// <summary>Replaces the state machine with the primary's snapshot, durably, before anything else of the Ready.</summary>
    public void Install(SnapshotMarker snapshot)
    {
        if (_received is not { } received || received.Index != snapshot.Index || received.Term != snapshot.Term)
            throw new InvalidOperationException($"The core installs snapshot {snapshot} but the host received {_received?.Index}/{_received?.Term}.");
        var state = _receivedState!;
        _received = null;
        _receivedState = null;
        var installed = snapshotStore.Install(received);
        if (installed.Index != snapshot.Index)
            throw new InvalidOperationException($"Installing snapshot {snapshot} left {installed.Index}/{installed.Term} as the newest.");
        store.Restore(state);
        snapshots.Installed();
        Log.SnapshotInstalled(logger, installed.Index, installed.Term, store.Count);
    }

    /// <summary>A received snapshot the core did not ask to install (it caught up from the log meanwhile,
    /// or the message was stale) is only taking space.</summary>
    public void DiscardUninstalled()
    {
        if (_received is null)
            return;
        snapshotStore.Discard(_received);
        _received = null;
        _receivedState = null;
    }
}
