namespace KvAspire.Node.Consensus;

/// <summary>
/// What the primary knows of one secondary's log (the model is etcd-io/raft's Progress).
/// Invariants: 0 &lt;= Match &lt; Next; entries up to Match are known to be identical to ours.
/// In Probe the primary sends one Replicate at a time until it finds where the logs match;
/// in Replicate it pipelines up to MaxInflight messages, advancing Next optimistically.
/// </summary>
public sealed class Progress(long next)
{
    private readonly Queue<long> _inflight = new();

    public long Match { get; private set; }
    public long Next { get; private set; } = next;
    public bool Probing { get; private set; } = true;
    /// <summary>In Probe: a Replicate with entries is outstanding, so wait for its answer.</summary>
    public bool ProbeSent { get; set; }
    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }
    /// <summary>The commit index last sent, so a caught-up secondary still learns of new commits.</summary>
    public long CommitSent { get; set; }

    public bool IsPaused(int maxInflight) => Probing ? ProbeSent : _inflight.Count >= maxInflight;

    /// <summary>A success acknowledgement; true when it moved Match forward.</summary>
    public bool MaybeUpdate(long matchIndex)
    {
        ProbeSent = false;
        while (_inflight.TryPeek(out var last) && last <= matchIndex)
            _inflight.Dequeue();
        if (matchIndex <= Match)
            return false;
        Match = matchIndex;
        Next = Math.Max(Next, matchIndex + 1);
        if (Probing)
        {
            Probing = false;
            Next = Match + 1;
            _inflight.Clear();
        }
        return true;
    }

    /// <summary>
    /// A rejection of the Replicate whose previous index was <paramref name="rejected"/>. Returns false
    /// for a stale rejection (one about a message we have already moved past).
    /// </summary>
    public bool MaybeDecrease(long rejected, long hint)
    {
        if (!Probing)
        {
            if (rejected <= Match)
                return false;
            BecomeProbe();
            return true;
        }
        if (rejected != Next - 1)
            return false;
        Next = Math.Max(Math.Min(rejected, hint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    public void BecomeProbe()
    {
        Probing = true;
        ProbeSent = false;
        Next = Match + 1;
        _inflight.Clear();
    }

    public void SentEntries(long lastIndex)
    {
        if (Probing)
        {
            ProbeSent = true;
            return;
        }
        Next = lastIndex + 1;
        _inflight.Enqueue(lastIndex);
    }
}
