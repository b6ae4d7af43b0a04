using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Transport;

/// <summary>
/// A simulated network partition for drills: while isolated, this node drops every peer message it
/// receives (<see cref="PeerService"/>) and every one it would send (<see cref="GrpcPeerTransport"/>).
/// Client traffic is untouched, so an operator watches the cut-off primary step down (check-quorum)
/// while the others elect a new one. Isolation ends by itself when its deadline passes: no call is
/// needed to heal, so a forgotten drill cannot leave a node cut off. Thread-safe.
/// </summary>
public sealed class PeerIsolation : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger<PeerIsolation> _logger;
    private readonly Lock _lock = new();
    private long _untilUtcTicks; // a long so readers see it whole without the lock; 0 = never isolated
    private ITimer? _healLog;

    public PeerIsolation(TimeProvider time, ILogger<PeerIsolation> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>True while peer traffic is being dropped. Read on every message, so it only compares a clock.</summary>
    public bool IsIsolated => _time.GetUtcNow().UtcTicks < Volatile.Read(ref _untilUtcTicks);

    /// <summary>When the current isolation ends, or null when the node is not isolated.</summary>
    public DateTimeOffset? IsolatedUntil
    {
        get
        {
            var until = Volatile.Read(ref _untilUtcTicks);
            return _time.GetUtcNow().UtcTicks < until ? new DateTimeOffset(until, TimeSpan.Zero) : null;
        }
    }

    /// <summary>Drops peer traffic from now for <paramref name="duration"/>; a second call replaces the deadline.</summary>
    public DateTimeOffset Isolate(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_lock)
        {
            var until = _time.GetUtcNow() + duration;
            Volatile.Write(ref _untilUtcTicks, until.UtcTicks);
            // The timer only logs the heal; IsIsolated does not depend on it firing.
            _healLog?.Dispose();
            _healLog = _time.CreateTimer(_ => Log.PeerIsolationEnded(_logger), null, duration, Timeout.InfiniteTimeSpan);
            Log.PeerIsolationStarted(_logger, duration, until);
            return until;
        }
    }

    public void Dispose()
    {
        lock (_lock)
            _healLog?.Dispose();
    }
}
