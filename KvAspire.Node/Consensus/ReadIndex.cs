namespace KvAspire.Node.Consensus;

/// <summary>
/// A read the primary has confirmed (etcd-io/raft's ReadState): once the host has applied up to
/// <see cref="Index"/>, serving request <see cref="RequestId"/> from the state machine is linearizable.
/// </summary>
public readonly record struct ReadState(long RequestId, long Index);

/// <summary>
/// The primary's ReadIndex bookkeeping (Raft thesis §6.4). A read records the commit index when it
/// arrives, then waits for a majority to answer a Replicate carrying its round's context: only then is
/// it certain no newer primary had been elected at that moment. Contexts grow, and an answer echoing
/// context c confirms every round up to c, so reads are released in arrival order.
/// </summary>
internal sealed class ReadIndexQueue
{
    private readonly List<long> _awaitingTermCommit = [];
    private readonly List<PendingRead> _pending = [];
    private long _lastContext;

    /// <summary>The context to put on outgoing Replicates: the newest unconfirmed round, or 0.</summary>
    public long ContextToSend => _pending.Count == 0 ? 0 : _lastContext;

    /// <summary>The newest context handed out: an answer echoing a later one was never sent by us.</summary>
    public long LastContext => _lastContext;

    public bool HasAwaitingTermCommit => _awaitingTermCommit.Count > 0;

    /// <summary>A read that arrived before this primary committed in its term: its commit index may be
    /// behind what earlier primaries committed, so the read cannot be indexed yet (Raft §8).</summary>
    public void AwaitTermCommit(long requestId) => _awaitingTermCommit.Add(requestId);

    /// <summary>Start a round for <paramref name="requestId"/> (and every read awaiting the term commit) at
    /// <paramref name="commitIndex"/>; returns its context.</summary>
    public long Start(long? requestId, long commitIndex, string self)
    {
        var context = ++_lastContext;
        foreach (var waiting in _awaitingTermCommit)
            _pending.Add(new PendingRead(waiting, commitIndex, context, self));
        _awaitingTermCommit.Clear();
        if (requestId is { } id)
            _pending.Add(new PendingRead(id, commitIndex, context, self));
        return context;
    }

    /// <summary>A peer answered a Replicate of this term carrying <paramref name="context"/>.</summary>
    public void Acknowledge(string peer, long context)
    {
        if (context == 0)
            return;
        foreach (var read in _pending)
        {
            if (read.Context > context)
                break;
            read.Acks.Add(peer);
        }
    }

    /// <summary>Moves every read confirmed by a majority (of <paramref name="voters"/>) to <paramref name="into"/>.</summary>
    public void Release(int voters, List<ReadState> into)
    {
        var released = 0;
        while (released < _pending.Count && _pending[released].Acks.Count >= Quorum.Majority(voters))
        {
            into.Add(new ReadState(_pending[released].RequestId, _pending[released].Index));
            released++;
        }
        _pending.RemoveRange(0, released);
    }

    /// <summary>This node stopped being primary: unconfirmed reads are dropped (the host fails them).</summary>
    public void Clear()
    {
        _awaitingTermCommit.Clear();
        _pending.Clear();
    }

    private sealed class PendingRead(long requestId, long index, long context, string self)
    {
        public long RequestId { get; } = requestId;
        public long Index { get; } = index;
        public long Context { get; } = context;
        public HashSet<string> Acks { get; } = [self];
    }
}
