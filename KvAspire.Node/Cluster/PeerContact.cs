namespace KvAspire.Node.Cluster;

/// <summary>
/// When each peer was last heard from (any message: a heartbeat's answer, a vote, an append). A primary
/// hears every secondary at least once a heartbeat, so silence for an election timeout — the window
/// check-quorum uses — means the secondary is gone, even when nothing is being written. Host loop only.
/// </summary>
public sealed class PeerContact(TimeProvider time, TimeSpan silenceLimit)
{
    private readonly Dictionary<string, long> _lastHeard = new(StringComparer.Ordinal);

    public void Heard(string peer) => _lastHeard[peer] = time.GetTimestamp();

    /// <summary>Seconds since <paramref name="peer"/> was last heard from; null if never since this node started.</summary>
    public double? SecondsSinceHeard(string peer) =>
        _lastHeard.TryGetValue(peer, out var heard) ? time.GetElapsedTime(heard).TotalSeconds : null;

    /// <summary>Whether a peer last heard from <paramref name="secondsSinceHeard"/> ago is within the silence limit.</summary>
    public bool InContact(double? secondsSinceHeard) => secondsSinceHeard is { } seconds && seconds <= silenceLimit.TotalSeconds;
}
