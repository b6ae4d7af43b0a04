namespace KvAspire.Node.Consensus;

/// <summary>
/// What the primary knows of one secondary's log (the model is etcd-io/raft's Progress).
/// Invariants: 0 &lt;= Match &lt; Next; entries up to Match are known to be identical to ours (unless the
/// secondary lost its disk, which its rejections reveal: then Match drops to what it still has).
/// Its <see cref="State"/> says how the primary sends to it.
/// </summary>
public sealed class Progress(long next)
{
    private readonly Queue<long> _inflight = new();

    public long Match { get; private set; }
    public long Next { get; private set; } = next;
    public ProgressState State { get; private set; } = ProgressState.Probe;
    /// <summary>In Probe: a Replicate with entries is outstanding, so wait for its answer.</summary>
    public bool ProbeSent { get; set; }
    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }
    /// <summary>The commit index last sent, so a caught-up secondary still learns of new commits.</summary>
    public long CommitSent { get; set; }

    /// <summary>Under <see cref="ReadMode.Lease"/>: the primary's tick when it sent the newest Replicate this secondary echoed,
    /// so it grants no vote until an election timeout after that on its own clock; 0 for none.</summary>
    public long LeaseTick { get; set; }

    /// <summary>The secondary lost its disk and is not yet a voter again: its answers count towards no quorum.</summary>
    public bool Joining { get; set; }

    /// <summary>While <see cref="Joining"/>: the entry it and every voter must hold before it is promoted.</summary>
    public long JoinFloor { get; set; }

    /// <summary>In Snapshot: the index of the snapshot being streamed to this secondary; otherwise 0.</summary>
    public long PendingSnapshot { get; private set; }

    public bool IsPaused(int maxInflight) => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Snapshot => true,
        _ => _inflight.Count >= maxInflight,
    };

    /// <summary>A success acknowledgement; true when it moved Match forward.</summary>
    public bool MaybeUpdate(long matchIndex)
    {
        while (_inflight.TryPeek(out var last) && last <= matchIndex)
            _inflight.Dequeue();
        // Only an acknowledgement that moves Match answers a probe (etcd-io/raft's ProbeAcked): one that does not, such as
        // a secondary echoing a read round before its sync made the probed entries durable, would otherwise send the same
        // probe again at once, and again, until that sync ends. A lost probe is sent again with the next heartbeat.
        if (matchIndex <= Match)
            return false;
        ProbeSent = false;
        Match = matchIndex;
        Next = Math.Max(Next, matchIndex + 1);
        if (State != ProgressState.Replicate)
        {
            State = ProgressState.Replicate;
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
        if (State == ProgressState.Snapshot)
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
        if (State == ProgressState.Replicate)
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
        State = ProgressState.Probe;
        ProbeSent = false;
        PendingSnapshot = 0;
        Next = Match + 1;
        _inflight.Clear();
    }

    public void BecomeSnapshot(long snapshotIndex)
    {
        BecomeProbe();
        State = ProgressState.Snapshot;
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
        if (State != ProgressState.Replicate)
        {
            ProbeSent = true;
            return;
        }
        Next = lastIndex + 1;
        _inflight.Enqueue(lastIndex);
    }
}

/// <summary>How the primary sends to one secondary (etcd-io/raft's progress states).</summary>
public enum ProgressState
{
    /// <summary>One Replicate at a time, until the primary finds where the two logs match.</summary>
    Probe,
    /// <summary>Up to MaxInflight messages pipelined, Next advanced optimistically.</summary>
    Replicate,
    /// <summary>A snapshot is streaming (<see cref="Progress.PendingSnapshot"/>): nothing but heartbeats until the transport
    /// reports it delivered or lost, or an acknowledgement shows the logs match.</summary>
    Snapshot,
}
