namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    /// <summary>With async storage writes: the last index this term's primary has shown matches its log, which this
    /// node acknowledges as soon as its host reports it durable.</summary>
    private long _matched;
    /// <summary>The highest index acknowledged to this term's primary.</summary>
    private long _acknowledged;

    private void BecomeSecondary(long term, string? primary)
    {
        if (term > Term)
            SetHardState(_hardState with { Term = term, VotedFor = null });
        Role = Role.Secondary;
        Primary = primary;
        _matched = 0;
        _acknowledged = 0;
        _primaryLeaseTick = 0; // a tick of another primary's clock means nothing to the next one
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
        else if (!MayCampaign)
        {
            // A learner, or a node removed from the cluster, never campaigns. It forgets a primary it has not heard from
            // for an election timeout: still honouring it, it would ignore every vote request for the first
            // ElectionTicksMin of each timeout (InPrimaryLease), while a candidate may need its vote, as a voter of an
            // uncommitted promotion in the candidate's log.
            Primary = null;
            ResetTimers();
        }
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
            case TimeoutNow when !Joining && _isVoter:
                Campaign(transfer: true);
                break;

        }
    }

    private void HandleReplicate(Replicate replicate)
    {
        HeardPrimary(replicate.LeaseTick);
        if (replicate.PrevLogIndex < CommitIndex)
        {
            // Everything up to our commit index already matches; tell the primary to resume there. (With async
            // storage writes those entries may not be on this disk yet, but being committed they are on a majority's.)
            Send(new ReplicateResponse(Id, replicate.From, Term, Success: true, MatchIndex: CommitIndex,
                ReadContext: replicate.ReadContext, LeaseTick: LeaseTickToEcho));
            return;
        }

        if (!Log.TryAppend(replicate.PrevLogIndex, replicate.PrevLogTerm, replicate.Entries, CommitIndex))
        {
            var hint = Math.Min(replicate.PrevLogIndex - 1, Log.LastIndex);
            Send(new ReplicateResponse(Id, replicate.From, Term, Success: false, MatchIndex: 0,
                RejectedIndex: replicate.PrevLogIndex, HintIndex: hint, ReadContext: replicate.ReadContext, LeaseTick: LeaseTickToEcho));
            return;
        }

        TrackAppended(replicate.Entries);
        var lastNew = replicate.PrevLogIndex + replicate.Entries.Count;
        if (replicate.Promote && Joining)
            Promote(replicate.From);
        // Only up to what this message proved matches: entries beyond it may be stale leftovers.
        CommitTo(Math.Min(replicate.CommitIndex, lastNew));
        if (!_options.AsyncStorageWrites)
        {
            // The host persists this Ready before it sends the acknowledgement.
            Send(new ReplicateResponse(Id, replicate.From, Term, Success: true, MatchIndex: lastNew,
                ReadContext: replicate.ReadContext, LeaseTick: LeaseTickToEcho));
            return;
        }
        // The entries may not be on disk yet: acknowledge what is, and the rest once the host reports it
        // (AcknowledgeDurable). A read round waits for no disk, so its context is echoed at once.
        _matched = Math.Max(_matched, lastNew);
        var durable = Math.Min(lastNew, Log.DurableIndex);
        if (durable < lastNew && replicate.ReadContext == 0)
            return;
        Send(new ReplicateResponse(Id, replicate.From, Term, Success: true, MatchIndex: durable,
            ReadContext: replicate.ReadContext, LeaseTick: LeaseTickToEcho));
        _acknowledged = Math.Max(_acknowledged, durable);
    }

    /// <summary>Acknowledges to the primary the entries it sent that have since become durable.</summary>
    private void AcknowledgeDurable()
    {
        var durable = Math.Min(_matched, Log.DurableIndex);
        if (Primary is null || durable <= _acknowledged)
            return;
        Send(new ReplicateResponse(Id, Primary, Term, Success: true, MatchIndex: durable, LeaseTick: LeaseTickToEcho));
        _acknowledged = durable;
    }
}
