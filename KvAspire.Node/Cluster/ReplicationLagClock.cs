namespace KvAspire.Node.Cluster;

/// <summary>
/// On the primary: when each entry entered the log, so a secondary's lag can be told in seconds —
/// the age of the oldest entry it does not have yet. Entries inherited from an earlier primary count
/// from this node's election. Host loop only.
/// </summary>
public sealed class ReplicationLagClock(TimeProvider time)
{
    private readonly Queue<(long Index, long Timestamp)> _appended = new();
    private long _lastIndex;
    private long _sinceElection = time.GetTimestamp();

    public void BecamePrimary()
    {
        _appended.Clear();
        _lastIndex = 0;
        _sinceElection = time.GetTimestamp();
    }

    public void Appended(long index)
    {
        if (index <= _lastIndex)
            return;
        _appended.Enqueue((index, time.GetTimestamp()));
        _lastIndex = index;
    }

    /// <summary>Seconds since the first entry after <paramref name="matchIndex"/> was appended; 0 when caught up.</summary>
    public double LagSeconds(long matchIndex, long lastIndex)
    {
        if (matchIndex >= lastIndex)
            return 0;
        foreach (var (index, timestamp) in _appended)
        {
            if (index > matchIndex)
                return time.GetElapsedTime(timestamp).TotalSeconds;
        }
        return time.GetElapsedTime(_sinceElection).TotalSeconds;
    }

    /// <summary>Every secondary has everything up to <paramref name="index"/>: those times are no longer needed.</summary>
    public void ForgetThrough(long index)
    {
        while (_appended.TryPeek(out var oldest) && oldest.Index <= index)
            _appended.Dequeue();
    }
}
