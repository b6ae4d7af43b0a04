namespace KvAspire.Node.Consensus;

/// <summary>
/// A message between nodes. Every message is one-way and carries the sender's term; a reply is just
/// another message. The transport may drop, delay, duplicate or reorder them: the core tolerates all.
/// </summary>
public abstract record Message(string From, string To, long Term);

/// <summary>
/// A candidate asks for a vote (or, with <see cref="PreVote"/>, asks whether it could win).
/// <see cref="Transfer"/> marks the election a primary asked for by <see cref="TimeoutNow"/>: voters
/// grant it despite the primary lease, since the primary itself stepped aside (etcd's campaignTransfer).
/// </summary>
public sealed record RequestVote(string From, string To, long Term, long LastLogIndex, long LastLogTerm,
    bool PreVote = false, bool Transfer = false)
    : Message(From, To, Term);

public sealed record RequestVoteResponse(string From, string To, long Term, bool Granted, bool PreVote = false)
    : Message(From, To, Term);

/// <summary>
/// The primary ships entries that follow (<see cref="PrevLogIndex"/>, <see cref="PrevLogTerm"/>).
/// With no entries it is the heartbeat, and still carries the consistency check and commit index.
/// <see cref="ReadContext"/> (0 = none) is the primary's latest pending ReadIndex round; the answer
/// echoes it, confirming this primary was still recognized after the read arrived.
/// </summary>
public sealed record Replicate(
    string From, string To, long Term,
    long PrevLogIndex, long PrevLogTerm, IReadOnlyList<Entry> Entries, long CommitIndex, long ReadContext = 0)
    : Message(From, To, Term)
{
    public bool IsHeartbeat => Entries.Count == 0;
}

/// <summary>
/// A secondary's answer to <see cref="Replicate"/>. On success <see cref="MatchIndex"/> is the highest
/// index now known to match; on rejection <see cref="RejectedIndex"/> is the previous index that did
/// not match and <see cref="HintIndex"/> the secondary's last index, so the primary backs up quickly.
/// <see cref="ReadContext"/> echoes the Replicate's.
/// </summary>
public sealed record ReplicateResponse(
    string From, string To, long Term, bool Success, long MatchIndex, long RejectedIndex = 0, long HintIndex = 0,
    long ReadContext = 0)
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
public sealed record InstallSnapshot(string From, string To, long Term, SnapshotMarker Snapshot) : Message(From, To, Term);
