namespace KvAspire.Node.Consensus;

/// <summary>
/// A message between nodes. Every message is one-way and carries the sender's term; a reply is just
/// another message. The transport may drop, delay, duplicate or reorder them: the core tolerates all.
/// <see cref="Standing"/> says whether the sender may vote, so peers never count a node that lost its disk.
/// </summary>
public abstract record Message(string From, string To, long Term)
{
    public Standing Standing { get; init; }
}

/// <summary>Whether a node may vote and count towards a quorum. Sent on the wire: append-only, never renumber.</summary>
public enum Standing
{
    Voter = 0,
    /// <summary>Started with an empty data folder in a cluster that already has history: it follows a primary but
    /// neither votes, campaigns nor counts towards a quorum until that primary promotes it.</summary>
    Joining = 1,
    /// <summary>Joining with an empty log: it holds nothing of any cluster and has promised nothing.</summary>
    Blank = 2,
    /// <summary>A voter whose log is empty: no primary has ever reached it. When every member is Blank or Unfounded,
    /// nothing has been committed anywhere, and blank nodes may vote to found the cluster.</summary>
    Unfounded = 3,
}

/// <summary>
/// A candidate asks for a vote (or, with <see cref="PreVote"/>, asks whether it could win).
/// <see cref="Transfer"/> marks the election a primary asked for by <see cref="TimeoutNow"/>: voters
/// grant it despite the primary lease, since the primary itself stepped aside (etcd's campaignTransfer).
/// <see cref="Founding"/>: the candidate is blank and has heard every other member say it is blank too, so no
/// node holds anything of a cluster yet; only such a candidate may win a blank node's vote.
/// </summary>
public sealed record RequestVote(string From, string To, long Term, long LastLogIndex, long LastLogTerm,
    bool PreVote = false, bool Transfer = false, bool Founding = false)
    : Message(From, To, Term);

public sealed record RequestVoteResponse(string From, string To, long Term, bool Granted, bool PreVote = false)
    : Message(From, To, Term);

/// <summary>
/// The primary ships entries that follow (<see cref="PrevLogIndex"/>, <see cref="PrevLogTerm"/>).
/// With no entries it is the heartbeat, and still carries the consistency check and commit index.
/// <see cref="ReadContext"/> (0 = none) is the primary's latest pending ReadIndex round; the answer
/// echoes it, confirming this primary was still recognized after the read arrived. <see cref="Promote"/>
/// makes a joining secondary a voter (see <c>Raft.Joining.cs</c> for when the primary may say so).
/// <see cref="LeaseTick"/> (0 = none) is the primary's tick when it sent the message, under <see cref="ReadMode.Lease"/>.
/// </summary>
public sealed record Replicate(
    string From, string To, long Term,
    long PrevLogIndex, long PrevLogTerm, IReadOnlyList<Entry> Entries, long CommitIndex, long ReadContext = 0,
    bool Promote = false, long LeaseTick = 0)
    : Message(From, To, Term)
{
    public bool IsHeartbeat => Entries.Count == 0;
}

/// <summary>
/// A secondary's answer to <see cref="Replicate"/>. On success <see cref="MatchIndex"/> is the highest
/// index now known to match; on rejection <see cref="RejectedIndex"/> is the previous index that did
/// not match and <see cref="HintIndex"/> the secondary's last index, so the primary backs up quickly.
/// <see cref="ReadContext"/> echoes the Replicate's. <see cref="LeaseTick"/> is the newest one this secondary received from the
/// primary, echoed only by a node that itself runs <see cref="ReadMode.Lease"/> and so keeps the promise the lease counts on.
/// </summary>
public sealed record ReplicateResponse(
    string From, string To, long Term, bool Success, long MatchIndex, long RejectedIndex = 0, long HintIndex = 0,
    long ReadContext = 0, long LeaseTick = 0)
    : Message(From, To, Term);

/// <summary>
/// Leader transfer: the primary tells an up-to-date secondary to campaign at once, skipping pre-vote
/// and its election timeout (Raft thesis §3.10).
/// </summary>
public sealed record TimeoutNow(string From, string To, long Term) : Message(From, To, Term);

/// <summary>
/// The primary no longer holds the entries a secondary needs (they were compacted into a snapshot):
/// the secondary must replace its state with <see cref="Snapshot"/> (Raft §7). The core only names the
/// snapshot; the transport streams its bytes first and hands this message over once they all arrived.
/// The secondary answers with a <see cref="ReplicateResponse"/>.
/// </summary>
public sealed record InstallSnapshot(string From, string To, long Term, SnapshotMarker Snapshot) : Message(From, To, Term)
{
    /// <summary>The configuration the snapshot holds (null: none, taken before any membership change). Not sent on its own:
    /// the receiving host reads it from the snapshot's bytes before it hands the message over.</summary>
    public Membership? Membership { get; init; }
}
