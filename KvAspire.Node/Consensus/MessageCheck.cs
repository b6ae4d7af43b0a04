namespace KvAspire.Node.Consensus;

/// <summary>
/// Field-by-field checks of a message from a peer, before anything acts on it. A peer with a bug, a
/// corrupted frame or a node from another deployment must never make a node throw: a message that
/// fails is dropped (the protocol already tolerates loss) and the host counts and logs why.
/// These checks need no state; the core adds the ones that do (an acknowledgement past our log).
/// </summary>
public static class MessageCheck
{
    /// <summary>
    /// Terms and indexes stay below 2^62, so <c>Term + 1</c> and index arithmetic can never overflow. A real
    /// cluster would need billions of elections a second for centuries to get there.
    /// </summary>
    public const long MaxTermOrIndex = 1L << 62;

    /// <summary>The reason <paramref name="message"/> must be dropped (a short stable code, then a sentence), or null when it may be stepped.</summary>
    /// <remarks>A sender outside this node's configuration is not refused: a node that has not yet received the entry
    /// adding a new member must still follow it once it leads (Raft thesis §4.1). The core decides what such a sender's
    /// message may do (a vote request from a non-voter is ignored).</remarks>
    public static MessageProblem? Problem(Message message, string self)
    {
        if (message.To != self)
            return new("wrong_recipient", $"addressed to '{message.To}', not this node");
        if (message.From == self || !MemberRules.IsValidId(message.From))
            return new("malformed_sender", $"sent by '{message.From}', which cannot be another member's name");
        if (!InRange(message.Term))
            return new("term_out_of_range", $"term {message.Term}");
        return message switch
        {
            RequestVote v when v.Term < 1 => new("term_out_of_range", "a vote request for term 0"),
            RequestVote v when !InRange(v.LastLogIndex) || !InRange(v.LastLogTerm) || v.LastLogTerm > v.Term =>
                new("index_out_of_range", $"last log {v.LastLogIndex}/{v.LastLogTerm} in term {v.Term}"),
            Replicate r => ReplicateProblem(r),
            ReplicateResponse r when !InRange(r.MatchIndex) || !InRange(r.RejectedIndex) || !InRange(r.HintIndex) || r.ReadContext < 0 || r.LeaseTick < 0 =>
                new("index_out_of_range", $"match {r.MatchIndex}, rejected {r.RejectedIndex}, hint {r.HintIndex}, read context {r.ReadContext}, lease tick {r.LeaseTick}"),
            InstallSnapshot s when s.Snapshot.Index < 1 || !InRange(s.Snapshot.Index) || s.Snapshot.Term < 1 || s.Snapshot.Term > s.Term =>
                new("index_out_of_range", $"snapshot {s.Snapshot.Index}/{s.Snapshot.Term} in term {s.Term}"),
            _ => null,
        };
    }

    private static MessageProblem? ReplicateProblem(Replicate r)
    {
        if (!InRange(r.PrevLogIndex) || !InRange(r.PrevLogTerm) || r.PrevLogTerm > r.Term || !InRange(r.CommitIndex) || r.ReadContext < 0
            || r.LeaseTick < 0 || (r.PrevLogIndex == 0 && r.PrevLogTerm != 0))
            return new("index_out_of_range", $"previous {r.PrevLogIndex}/{r.PrevLogTerm}, commit {r.CommitIndex} in term {r.Term}");
        // A log's terms never decrease along it, and no primary ships an entry from a term after its own.
        var term = r.PrevLogTerm;
        for (var i = 0; i < r.Entries.Count; i++)
        {
            var entry = r.Entries[i];
            if (entry.Index != r.PrevLogIndex + 1 + i)
                return new("entries_not_contiguous", $"entry {i} has index {entry.Index}, expected {r.PrevLogIndex + 1 + i}");
            if (entry.Term < term || entry.Term > r.Term)
                return new("entry_term_out_of_order", $"entry {entry.Index} has term {entry.Term} after term {term}, in a message of term {r.Term}");
            if (Membership.IsEntry(entry.Data.Span) && !Membership.TryDecode(entry.Data.Span, out _))
                return new("malformed_configuration", $"entry {entry.Index} is a configuration that cannot be read");
            term = entry.Term;
        }
        return null;
    }

    private static bool InRange(long value) => value is >= 0 and < MaxTermOrIndex;
}

/// <summary>Why a peer's message was dropped: <see cref="Reason"/> is a stable code for metrics, <see cref="Detail"/> a sentence for logs.</summary>
public sealed record MessageProblem(string Reason, string Detail);
