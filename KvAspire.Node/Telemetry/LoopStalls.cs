namespace KvAspire.Node.Telemetry;

/// <summary>
/// Watches how long the host loop holds one batch. A primary whose loop stops for an election timeout sends no
/// heartbeats, and its secondaries elect another primary; the usual cause under a bulk load is the garbage collector,
/// which stops every managed thread at once, so no separate heartbeat thread could keep beating through it. A batch held
/// for at least <c>threshold</c> is counted by cause and logged with how much of it the GC took, at most once a second.
/// Host loop only.
/// </summary>
internal sealed class LoopStalls(TimeProvider time, TimeSpan threshold, NodeMetrics metrics, ILogger logger, string node)
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);
    private long _started;
    private TimeSpan _pausedBefore;
    private long _loggedAt;
    private int _unlogged;

    public void BatchStarting()
    {
        _started = time.GetTimestamp();
        _pausedBefore = GC.GetTotalPauseDuration();
    }

    /// <param name="applied">Committed entries the batch applied to the store.</param>
    public void BatchEnded(int inputs, int applied)
    {
        var held = time.GetElapsedTime(_started);
        if (held < threshold)
            return;
        var paused = GC.GetTotalPauseDuration() - _pausedBefore;
        var cause = paused * 2 >= held ? "gc" : "work";
        metrics.LoopStalled(held, cause);
        if (_loggedAt != 0 && time.GetElapsedTime(_loggedAt) < LogInterval)
        {
            _unlogged++;
            return;
        }
        Log.LoopStalled(logger, node, (long)held.TotalMilliseconds, (long)paused.TotalMilliseconds, inputs, applied,
            (long)threshold.TotalMilliseconds, _unlogged);
        _loggedAt = time.GetTimestamp();
        _unlogged = 0;
    }
}
