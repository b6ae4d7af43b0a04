namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    private void BecomeSecondary(long term, string? primary)
    {
        if (term > Term)
            SetHardState(_hardState with { Term = term, VotedFor = null });
        Role = Role.Secondary;
        Primary = primary;
        _progress.Clear();
        _reads.Clear();
        _transferTarget = null;
        ResetTimers();
    }

    /// <summary>A secondary or candidate that hears nothing for a randomized election timeout campaigns.</summary>
    private void TickElection()
    {
        _electionElapsed++;
        if (_electionElapsed < _randomizedElectionTimeout)
            return;
        if (CanFound)
            Campaign(founding: true);
        else if (Joining)
            Probe();
        else if (_options.PreVote)
            PreCampaign();
        else
            Campaign();
    }

    private void StepSecondary(Message message)
    {
        switch (message)
        {
            case Replicate replicate:
                _electionElapsed = 0;
                Primary = replicate.From;
                HandleReplicate(replicate);
                break;
            case InstallSnapshot install:
                _electionElapsed = 0;
                Primary = install.From;
                HandleInstallSnapshot(install);
                break;
            case TimeoutNow when !Joining:
                Campaign(transfer: true);
                break;

        }
    }

    private void HandleReplicate(Replicate replicate)
    {
        if (replicate.PrevLogIndex < CommitIndex)
        {
            // Everything up to our commit index already matches; tell the primary to resume there.
            Send(new ReplicateResponse(Id, replicate.From, Term, Success: true, MatchIndex: CommitIndex,
                ReadContext: replicate.ReadContext));
            return;
        }

        if (!Log.TryAppend(replicate.PrevLogIndex, replicate.PrevLogTerm, replicate.Entries, CommitIndex))
        {
            var hint = Math.Min(replicate.PrevLogIndex - 1, Log.LastIndex);
            Send(new ReplicateResponse(Id, replicate.From, Term, Success: false, MatchIndex: 0,
                RejectedIndex: replicate.PrevLogIndex, HintIndex: hint, ReadContext: replicate.ReadContext));
            return;
        }

        var lastNew = replicate.PrevLogIndex + replicate.Entries.Count;
        if (replicate.Promote && Joining)
            Promote(replicate.From);
        // Only up to what this message proved matches: entries beyond it may be stale leftovers.
        CommitTo(Math.Min(replicate.CommitIndex, lastNew));
        Send(new ReplicateResponse(Id, replicate.From, Term, Success: true, MatchIndex: lastNew,
            ReadContext: replicate.ReadContext));
    }
}
