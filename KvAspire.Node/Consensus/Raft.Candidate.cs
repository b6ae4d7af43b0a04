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
        foreach (var peer in _peers)
            Send(new RequestVote(Id, peer, Term + 1, Log.LastIndex, Log.LastTerm, PreVote: true));
    }

    /// <summary>Start an election: term + 1, vote for ourselves, ask everyone else. A
    /// <paramref name="transfer"/> election was asked for by the primary, so voters ignore its lease.</summary>
    private void Campaign(bool transfer = false)
    {
        SetHardState(new HardState(Term + 1, Id));
        StartRound(Role.Candidate);
        if (HasMajority(_votesGranted.Count))
        {
            BecomePrimary();
            return;
        }
        foreach (var peer in _peers)
            Send(new RequestVote(Id, peer, Term, Log.LastIndex, Log.LastTerm, Transfer: transfer));
    }

    private void StartRound(Role role)
    {
        Role = role;
        Primary = null;
        ResetTimers();
        _votesGranted.Clear();
        _votesRejected.Clear();
        _votesGranted.Add(Id);
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
            case RequestVoteResponse response when response.PreVote != (Role == Role.PreCandidate):
                break; // an answer from another round
            case RequestVoteResponse { Granted: true } granted:
                _votesGranted.Add(granted.From);
                if (!HasMajority(_votesGranted.Count))
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

    private bool HasMajority(int count) => count >= Quorum.Majority(_peers.Length + 1);
}
