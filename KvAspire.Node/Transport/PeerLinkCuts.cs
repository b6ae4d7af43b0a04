using System.Collections.Immutable;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Transport;

/// <summary>
/// One-way partitions for drills: while the link to a peer is cut, this node drops every message it would send
/// to that peer (<see cref="GrpcPeerTransport"/>) but still receives the peer's. Cutting A to B on A and nothing
/// on B is the asymmetric partition that check-quorum and pre-vote must survive. Like <see cref="PeerIsolation"/>,
/// a cut ends by itself at its deadline, so a forgotten drill cannot leave a link down. Thread-safe.
/// </summary>
public sealed class PeerLinkCuts(TimeProvider time, ILogger<PeerLinkCuts> logger)
{
    private readonly Lock _lock = new();
    /// <summary>Peer to the UTC ticks its cut ends; replaced whole under the lock so senders read it without one.</summary>
    private ImmutableDictionary<string, long> _until = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>True while messages to <paramref name="peer"/> are dropped. Read on every message, so it only compares a clock.</summary>
    public bool IsCut(string peer) =>
        Volatile.Read(ref _until).TryGetValue(peer, out var until) && time.GetUtcNow().UtcTicks < until;

    /// <summary>Drops messages to <paramref name="peer"/> from now for <paramref name="duration"/>; a second cut of the
    /// same link replaces its deadline.</summary>
    public DateTimeOffset Cut(string peer, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(peer);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_lock)
        {
            var until = time.GetUtcNow() + duration;
            Volatile.Write(ref _until, _until.SetItem(peer, until.UtcTicks));
            Log.PeerLinkCut(logger, peer, duration, until);
            return until;
        }
    }
}
