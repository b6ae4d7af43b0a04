namespace KvAspire.Node.Cluster;

/// <summary>
/// The SYNCING state: from the first byte of a snapshot from the primary until, with it installed,
/// this node has applied through the primary's commit index as carried by the latest Replicate (heartbeat
/// or entries) it heard from the primary. One snapshot arrives at a time: another stream is refused while one streams or
/// waits to be installed, and the primary offers it again at a later heartbeat.
/// Thread-safe: the receiving call reports the transfer, the host loop everything after it.
/// </summary>
public sealed class Syncing
{
    private readonly Lock _lock = new();
    private SyncProgress? _current;
    private SyncProgress? _last;

    /// <summary>The catch-up under way, or null when this node is not syncing.</summary>
    public SyncProgress? Current
    {
        get
        {
            lock (_lock)
                return _current;
        }
    }

    /// <summary>The last catch-up that ended with this node caught up (since it started), or null.</summary>
    public SyncProgress? Last
    {
        get
        {
            lock (_lock)
                return _last;
        }
    }

    /// <summary>Receiving call: a snapshot starts streaming in. False, and nothing changes, while another
    /// one streams or waits to be installed.</summary>
    public bool TryBegin(string from, long snapshotIndex, long bytesTotal)
    {
        lock (_lock)
        {
            if (_current is { Phase: SyncPhase.Transfer or SyncPhase.Install })
                return false;
            _current = new SyncProgress(from, snapshotIndex, 0, bytesTotal, SyncPhase.Transfer, snapshotIndex);
            return true;
        }
    }

    /// <summary>Receiving call: more of the snapshot arrived.</summary>
    public void Received(long bytes)
    {
        lock (_lock)
        {
            if (_current is { Phase: SyncPhase.Transfer } current)
                _current = current with { BytesReceived = current.BytesReceived + bytes };
        }
    }

    /// <summary>The snapshot is whole on disk and queued for the host loop.</summary>
    public void HandedOver() => MoveTo(SyncPhase.Transfer, SyncPhase.Install);

    /// <summary>The snapshot being received will never reach the host loop (the stream failed, or the loop
    /// stopped): nothing is syncing until the primary sends one again.</summary>
    public void Abandoned()
    {
        lock (_lock)
            _current = null;
    }

    /// <summary>Host loop: the handed-over snapshot is installed, or was discarded as not needed; either
    /// way what remains is to apply the log.</summary>
    public void Settled() => MoveTo(SyncPhase.Install, SyncPhase.Log);

    /// <summary>Host loop, on every status: ends the catch-up once the log is applied through
    /// <paramref name="primaryCommitIndex"/>, the primary's commit index as last reported.</summary>
    public void Observe(long appliedIndex, long primaryCommitIndex)
    {
        lock (_lock)
        {
            if (_current is null)
                return;
            var target = Math.Max(_current.SnapshotIndex, primaryCommitIndex);
            if (_current.PrimaryCommitIndex != target)
                _current = _current with { PrimaryCommitIndex = target };
            if (_current.Phase == SyncPhase.Log && appliedIndex >= target)
                (_last, _current) = (_current, null);
        }
    }

    private void MoveTo(SyncPhase from, SyncPhase to)
    {
        lock (_lock)
        {
            if (_current is { } current && current.Phase == from)
                _current = current with { Phase = to };
        }
    }
}
