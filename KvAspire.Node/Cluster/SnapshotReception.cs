namespace KvAspire.Node.Cluster;

/// <summary>A snapshot arriving from the primary: the seed's SYNCING state, as /cluster reports it.</summary>
public sealed record SyncProgress(string From, long SnapshotIndex, long BytesReceived, long BytesTotal);

/// <summary>
/// Tracks the snapshot being received, for status. The receiving call updates it from its own thread;
/// the host loop reads it when publishing status.
/// </summary>
public sealed class SnapshotReception
{
    private readonly Lock _lock = new();
    private SyncProgress? _current;

    public SyncProgress? Current
    {
        get
        {
            lock (_lock)
                return _current;
        }
    }

    public void Begin(string from, long snapshotIndex, long bytesTotal)
    {
        lock (_lock)
            _current = new SyncProgress(from, snapshotIndex, 0, bytesTotal);
    }

    public void Received(long bytes)
    {
        lock (_lock)
        {
            if (_current is not null)
                _current = _current with { BytesReceived = _current.BytesReceived + bytes };
        }
    }

    public void End()
    {
        lock (_lock)
            _current = null;
    }
}
