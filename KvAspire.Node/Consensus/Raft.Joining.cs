namespace KvAspire.Node.Consensus;

/// <summary>
/// A node that lost its disk must not vote or count towards a quorum with promises it cannot remember: it
/// may have voted for B in term 5 and acknowledged entries only B and it hold.
///
/// Joining. Started with an empty data folder, a node is <see cref="Standing.Joining"/>: it follows a primary
/// and catches up, but never votes, campaigns or counts, until that primary promotes it. The primary promotes
/// it once it holds an entry of the primary's own term, appended after the primary first heard of it, that
/// every other voter also holds: every voter then answered in this term after the node lost its disk, so no
/// forgotten vote can be for a later term, and the node holds everything committed before.
///
/// Founding. A brand-new cluster has only empty logs. A node whose log is empty and that has heard every other
/// member say its log is empty within the last <see cref="FreshTicks"/> ticks founds the cluster: blank nodes
/// that see the same may vote for it (and are voters from then on), and it wins only with every member's vote.
/// Any committed entry is on a majority, and a member holding one never says its log is empty; members of an
/// existing cluster never send a blank node such word, so a node that lost its disk cannot found or vote.
/// Every vote is needed because a node that lost its disk right after a founding vote is blank again and
/// could otherwise give a second founding candidate of the same term the majority it gave the first.
/// </summary>
public sealed partial class Raft
{
    /// <summary>When (in this node's ticks) each peer last said its log is empty; removed when it says otherwise.</summary>
    private readonly Dictionary<string, long> _emptyHeardAt = [];
    private long _ticks;
    /// <summary>This candidacy founds the cluster, and needs every member's vote.</summary>
    private bool _founding;

    /// <summary>This node started with an empty data folder and has not been promoted (see the class remarks).</summary>
    public bool Joining => _hardState.Joining;

    public Standing Standing => (Joining, HasEmptyLog) switch
    {
        (false, false) => Standing.Voter,
        (false, true) => Standing.Unfounded,
        (true, false) => Standing.Joining,
        (true, true) => Standing.Blank,
    };

    /// <summary>Word that a peer's log is empty counts this long: every blank node probes once per election timeout.</summary>
    private long FreshTicks => 2L * _options.ElectionTicksMax;

    private bool HasEmptyLog => Log.LastIndex == 0 && LatestSnapshot.Index == 0;

    /// <summary>Our log is empty and every other member recently said the same: nothing is committed anywhere.</summary>
    private bool CanFound
    {
        get
        {
            if (!HasEmptyLog || !_isVoter)
                return false;
            foreach (var peer in _voters)
            {
                if (!_emptyHeardAt.TryGetValue(peer, out var heard) || _ticks - heard > FreshTicks)
                    return false;
            }
            return true;
        }
    }

    private void HearStanding(Message message)
    {
        if (message.Standing is Standing.Blank or Standing.Unfounded)
            _emptyHeardAt[message.From] = _ticks;
        else
            _emptyHeardAt.Remove(message.From);
    }

    /// <summary>
    /// A joining node's election timer: ask everyone for a pre-vote it cannot win, only so that their answers
    /// tell it who votes and whose log is empty (and tell them the same of it).
    /// </summary>
    private void Probe()
    {
        ResetTimers();
        foreach (var peer in _voters)
            Send(new RequestVote(Id, peer, Term + 1, Log.LastIndex, Log.LastTerm, PreVote: true));
    }

    /// <summary>A joining node grants only a founding candidate's vote, and only when it sees what the candidate claims.</summary>
    private bool MayVoteFor(RequestVote vote) => !Joining || (vote.Founding && CanFound);

    /// <summary>The primary learns each secondary's standing from its answers; a newly joining one gets a floor (see the class remarks).</summary>
    private void ObserveStanding(Progress progress, Standing standing)
    {
        var joining = standing is Standing.Joining or Standing.Blank;
        if (joining == progress.Joining)
            return;
        progress.Joining = joining;
        if (!joining)
            return;
        // An entry of this term after everything we hold now: its commitment proves every voter answered us
        // after the node lost its disk.
        progress.JoinFloor = Log.Append(Term, ReadOnlyMemory<byte>.Empty);
        _flushPending = true;
    }

    private bool CanPromote(string peer, Progress progress)
    {
        if (!progress.Joining || progress.Match < progress.JoinFloor || CommitIndex < progress.JoinFloor)
            return false;
        foreach (var other in _voters)
        {
            var match = _progress[other];
            if (other != peer && !match.Joining && match.Match < progress.JoinFloor)
                return false;
        }
        return true;
    }

    /// <summary>Promoted by the primary of this term: vote from now on, and never against that primary in this term.</summary>
    private void Promote(string primary) =>
        SetHardState(_hardState with { Joining = false, VotedFor = _hardState.VotedFor ?? primary });
}
