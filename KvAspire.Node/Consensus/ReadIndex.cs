namespace KvAspire.Node.Consensus;

/// <summary>
/// A read the primary has confirmed (etcd-io/raft's ReadState): once the host has applied up to
/// <see cref="Index"/>, serving request <see cref="RequestId"/> from the state machine is linearizable.
/// </summary>
public readonly record struct ReadState(long RequestId, long Index);

/// <summary>
/// The primary's ReadIndex bookkeeping (Raft thesis §6.4), as etcd's linearizable read loop: one round in flight
/// at a time. A round records the commit index when it starts and is confirmed once a majority has answered a
/// Replicate carrying its context: only then is it certain no newer primary had been elected at that moment.
/// Reads that arrive while a round is in flight share the next one, which starts when it ends, so a flood of reads
/// costs one heartbeat per peer per round trip, not one per batch of reads.
/// </summary>
internal sealed class ReadIndexQueue
{
    private readonly List<long> _awaitingTermCommit = [];
    /// <summary>Reads that arrived while a round was in flight: the next round's.</summary>
    private List<long> _next = [];
    /// <summary>The reads of the round in flight.</summary>
    private List<long> _round = [];
    private readonly HashSet<string> _acks = [];
    private long _roundIndex;
    private bool _inFlight;
    private long _lastContext;

    /// <summary>The context to put on outgoing Replicates: the round in flight's, or 0.</summary>
    public long ContextToSend => _inFlight ? _lastContext : 0;

    /// <summary>The newest context handed out: an answer echoing a later one was never sent by us.</summary>
    public long LastContext => _lastContext;

    /// <summary>A read that arrived before this primary committed in its term: its commit index may be
    /// behind what earlier primaries committed, so the read cannot be indexed yet (Raft §8).</summary>
    public void AwaitTermCommit(long requestId) => _awaitingTermCommit.Add(requestId);

    /// <summary>A read for the next round.</summary>
    public void Add(long requestId) => _next.Add(requestId);

    /// <summary>This primary committed in its term: the reads awaiting that join the next round.</summary>
    public void TermCommitted()
    {
        _next.AddRange(_awaitingTermCommit);
        _awaitingTermCommit.Clear();
    }

    /// <summary>Starts the next round at <paramref name="commitIndex"/> if reads wait for one and none is in flight;
    /// returns whether it did (its context must then be sent).</summary>
    public bool TryStart(long commitIndex, string? self)
    {
        if (_inFlight || _next.Count == 0)
            return false;
        (_round, _next) = (_next, _round);
        _roundIndex = commitIndex;
        _lastContext++;
        _acks.Clear();
        if (self is not null)
            _acks.Add(self); // a primary removing itself no longer counts
        _inFlight = true;
        return true;
    }

    /// <summary>A peer answered a Replicate of this term carrying <paramref name="context"/>.</summary>
    public void Acknowledge(string peer, long context)
    {
        if (_inFlight && context == _lastContext)
            _acks.Add(peer);
    }

    /// <summary>Moves the round in flight's reads to <paramref name="into"/> once a majority (of <paramref name="voters"/>)
    /// confirmed it; returns whether it did.</summary>
    public bool Release(int voters, List<ReadState> into)
    {
        if (!_inFlight || _acks.Count < Quorum.Majority(voters))
            return false;
        foreach (var requestId in _round)
            into.Add(new ReadState(requestId, _roundIndex));
        _round.Clear();
        _inFlight = false;
        return true;
    }

    /// <summary>This node stopped being primary: unconfirmed reads are dropped (the host fails them).</summary>
    public void Clear()
    {
        _awaitingTermCommit.Clear();
        _next.Clear();
        _round.Clear();
        _inFlight = false;
    }
}
