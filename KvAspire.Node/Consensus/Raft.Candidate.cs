namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    /// <summary>Ask whether we could win term + 1, changing nothing durable.</summary>
    private void PreCampaign()
    {
        StartRound(Role.PreCandidate);
        if (HasMajority(_votesGranted.Count))
        {
            Campaign();
            return;
        }
        foreach (var peer in _voters)
            Send(new RequestVote(Id, peer, Term + 1, Log.LastIndex, Log.LastTerm, PreVote: true));
    }

    /// <summary>Start an election: term + 1, vote for ourselves, ask everyone else. A
    /// <paramref name="transfer"/> election was asked for by the primary, so voters ignore its lease; a
    /// <paramref name="founding"/> one starts a new cluster from blank nodes (Raft.Joining.cs).</summary>
    private void Campaign(bool transfer = false, bool founding = false)
    {
        SetHardState(new HardState(Term + 1, Id, Joining: false));
        StartRound(Role.Candidate);
        _founding = founding;
        if (HasElectionQuorum())
        {
            BecomePrimary();
            return;
        }
        foreach (var peer in _voters)
            Send(new RequestVote(Id, peer, Term, Log.LastIndex, Log.LastTerm, Transfer: transfer, Founding: founding));
    }

    private void StartRound(Role role)
    {
        _founding = false;
        Role = role;
        Primary = null;
        ResetTimers();
        _votesGranted.Clear();
        _votesRejected.Clear();
        if (_isVoter)
            _votesGranted.Add(Id); // a node removing itself campaigns (see MayCampaign) but does not vote for itself
    }

    private void StepCandidate(Message message)
    {
        switch (message)
        {
            case Replicate replicate:
                // Someone else won this term.
                BecomeSecondary(Term, replicate.From);
                HandleReplicate(replicate);
                break;
            case InstallSnapshot install:
                BecomeSecondary(Term, install.From);
                HandleInstallSnapshot(install);
                break;
            case RequestVoteResponse response when response.PreVote != (Role == Role.PreCandidate) || !Membership.IsVoter(response.From):
                break; // an answer from another round, or from a node that no longer votes
            case RequestVoteResponse { Granted: true } granted:
                _votesGranted.Add(granted.From);
                if (Role == Role.PreCandidate ? !HasMajority(_votesGranted.Count) : !HasElectionQuorum())
                    break;
                if (Role == Role.PreCandidate)
                    Campaign();
                else
                    BecomePrimary();
                break;
            case RequestVoteResponse rejected:
                _votesRejected.Add(rejected.From);
                if (HasMajority(_votesRejected.Count))
                    BecomeSecondary(Term, primary: null);
                break;
        }
    }

    private bool HasMajority(int count) => count >= Quorum.Majority(VoterCount);

    /// <summary>
    /// A founding election needs every member's vote, not a majority: a node that lost its disk moments after
    /// voting looks blank again, and could give a second founding candidate of the same term the majority it
    /// already gave the first. With every vote needed, the first candidate's own vote stands in the way.
    /// </summary>
    private bool HasElectionQuorum() => _founding ? _votesGranted.Count == VoterCount : HasMajority(_votesGranted.Count);
}
