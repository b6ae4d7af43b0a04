namespace KvAspire.Node.Cluster;

/// <summary>
/// Bounds what clients and peers may queue for the host loop, in inputs and in bytes, so a flood waits at
/// the edge (clients are told to retry, peer messages are dropped as the protocol allows) instead of
/// growing the queue until the process runs out of memory. The loop's own inputs (ticks, fsync and
/// snapshot news) are never refused: losing one would stall it. Any thread may reserve; the loop releases.
/// </summary>
internal sealed class InboxBudget(int maxInputs, long maxBytes)
{
    private int _inputs;
    private long _bytes;

    public int QueuedInputs => Volatile.Read(ref _inputs);

    /// <summary>Takes room for one input of <paramref name="bytes"/>; false when the queue is full. An input
    /// larger than the byte budget still passes when nothing else is queued, or it could never pass.</summary>
    public bool TryReserve(long bytes)
    {
        var inputs = Interlocked.Increment(ref _inputs);
        var total = Interlocked.Add(ref _bytes, bytes);
        if (inputs == 1 || (inputs <= maxInputs && total <= maxBytes))
            return true;
        Release(bytes);
        return false;
    }

    public void Release(long bytes)
    {
        Interlocked.Decrement(ref _inputs);
        Interlocked.Add(ref _bytes, -bytes);
    }
}
