namespace KvAspire.Node.Cluster;

/// <summary>
/// Counts ticks from the monotonic clock instead of from timer firings. A timer that missed firings while the process was
/// paused (a long GC, SIGSTOP, a starved thread pool) fires once when it resumes, so a primary counting firings would
/// believe one tick passed and keep a lease the others stopped honouring long ago. Owned by the host loop.
/// </summary>
internal sealed class TickClock(TimeProvider time, TimeSpan tick)
{
    private readonly long _origin = time.GetTimestamp();
    private long _counted;

    /// <summary>The whole ticks that have passed since the previous call (none, one, or many after a pause).</summary>
    public long Due()
    {
        var elapsed = (long)(time.GetElapsedTime(_origin) / tick);
        var due = elapsed - _counted;
        _counted = elapsed;
        return due;
    }
}
