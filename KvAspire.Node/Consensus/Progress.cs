namespace KvAspire.Node.Consensus;

/// <summary>
/// What the primary knows of one secondary's log (the model is etcd-io/raft's Progress).
/// Invariants: 0 &lt;= Match &lt; Next; entries up to Match are known to be identical to ours (unless the
/// secondary lost its disk, which its rejections reveal: then Match drops to what it still has).
/// In Probe the primary sends one Replicate at a time until it finds where the logs match;
/// in Replicate it pipelines up to MaxInflight messages, advancing Next optimistically; in Snapshot
/// (a Probe with <see cref="PendingSnapshot"/> set) it sends nothing but heartbeats until the
/// transport reports the snapshot delivered or lost, or an acknowledgement shows the logs match.
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

    /// <summary>The secondary lost its disk and is not yet a voter again: its answers count towards no quorum.</summary>
    public bool Joining { get; set; }

    /// <summary>While <see cref="Joining"/>: the entry it and every voter must hold before it is promoted.</summary>
    public long JoinFloor { get; set; }

    /// <summary>The index of the snapshot being streamed to this secondary, or 0.</summary>
    public long PendingSnapshot { get; private set; }

    public bool IsPaused(int maxInflight) => Probing ? ProbeSent || PendingSnapshot > 0 : _inflight.Count >= maxInflight;

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
            PendingSnapshot = 0;
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
        if (PendingSnapshot > 0)
            return false; // a rejected heartbeat: the snapshot on its way settles where the logs match
        if (rejected == Match && Match > 0)
        {
            // It no longer holds an entry it acknowledged: its disk was wiped (or lost its tail without
            // Storage:Fsync=Always). Start again from what it has; a duplicate of an old rejection only
            // costs a probe.
            Match = hint;
            BecomeProbe();
            return true;
        }
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
        PendingSnapshot = 0;
        Next = Match + 1;
        _inflight.Clear();
    }

    public void BecomeSnapshot(long snapshotIndex)
    {
        BecomeProbe();
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>
    /// The snapshot stream ended. If it arrived, probe right after it; if not, from Match again (which
    /// sends a new snapshot). Paused until the next heartbeat either way, so a secondary that is down
    /// is offered at most one snapshot per heartbeat interval.
    /// </summary>
    public void SnapshotFinished(bool delivered)
    {
        var snapshot = PendingSnapshot;
        BecomeProbe();
        if (delivered)
            Next = Math.Max(Next, snapshot + 1);
        ProbeSent = true;
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
