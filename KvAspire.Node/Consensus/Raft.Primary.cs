namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    private void BecomePrimary()
    {
        Role = Role.Primary;
        Primary = Id;
        ResetTimers();
        _reads.Clear();
        _transferTarget = null;
        _leaseForfeited = false;
        _progress.Clear();
        foreach (var peer in _peers)
            // Not marked active: a primary cut off right after its election must step down after one
            // election timeout, not two.
            _progress[peer] = new Progress(Log.LastIndex + 1);
        // Entries of earlier terms commit only once an entry of this term does (Raft §5.4.2).
        Log.Append(Term, ReadOnlyMemory<byte>.Empty);
        _flushPending = true;
    }

    private void TickPrimary()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        TickTransfer();
        if (_options.CheckQuorum && _electionElapsed >= _options.ElectionTicksMin)
        {
            _electionElapsed = 0;
            if (!QuorumRecentlyActive())
            {
                // Cut off from a majority: a new primary may exist, so stop accepting writes.
                BecomeSecondary(Term, primary: null);
                return;
            }
        }
        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            foreach (var peer in _peers)
                SendReplicate(peer, _progress[peer], heartbeat: true);
        }
    }

    private bool QuorumRecentlyActive()
    {
        var active = _isVoter ? 1 : 0;
        foreach (var (peer, progress) in _progress)
        {
            if (progress.RecentActive && Membership.IsVoter(peer))
                active++;
            progress.RecentActive = false;
        }
        return HasMajority(active);
    }

    private void StepPrimary(Message message)
    {
        if (message is not ReplicateResponse response)
            return;
        if (!IsConsistentWithOurLog(response))
        {
            RejectedMessages++;
            return;
        }
        if (!_progress.TryGetValue(response.From, out var progress))
            return; // a late answer from a node this configuration no longer holds
        ObserveStanding(progress, response.Standing);
        // Any answer in our term, even a rejection, shows the sender still follows us; a joining node's does
        // not count, since it may have lost the promise that makes it a voter of another primary.
        if (!progress.Joining)
        {
            progress.RecentActive = true;
            if (Membership.IsVoter(response.From))
            {
                _reads.Acknowledge(response.From, response.ReadContext);
                progress.LeaseTick = Math.Max(progress.LeaseTick, response.LeaseTick);
            }
            ReleaseReads();
        }
        if (!response.Success)
        {
            progress.MaybeDecrease(response.RejectedIndex, response.HintIndex);
        }
        else
        {
            if (progress.MaybeUpdate(response.MatchIndex))
                MaybeCommit();
            MaybeSendTimeoutNow(response.From, progress);
        }
        _flushPending = true;
    }

    /// <summary>
    /// An acknowledgement can only be of entries we hold, and a rejection names a previous index we sent with
    /// a hint below it (the secondary's last index, or the index before the rejected one); either echoes a
    /// read context we handed out, and a lease tick no later than now. Anything else is a broken or foreign sender: acting on it would move Next
    /// past our log or confirm reads no majority saw.
    /// </summary>
    private bool IsConsistentWithOurLog(ReplicateResponse response) =>
        response.ReadContext <= _reads.LastContext && response.LeaseTick <= _ticks
        && (response.Success
            ? response.MatchIndex <= Log.LastIndex
            : response.RejectedIndex >= 1 && response.RejectedIndex <= Log.LastIndex && response.HintIndex < response.RejectedIndex);

    /// <summary>Advance the commit index to what a majority has durably stored, counting only
    /// entries of the current term (Raft §5.4.2).</summary>
    private bool MaybeCommit()
    {
        // Runs on every acknowledgement: the match indexes go on the stack (a cluster has a handful of members).
        // A primary that is removing itself still leads until that commits, but no longer counts (Raft thesis §4.2.2).
        Span<long> matches = stackalloc long[VoterCount];
        for (var i = 0; i < _voters.Length; i++)
            matches[i] = _progress[_voters[i]] is { Joining: false } progress ? progress.Match : 0;
        if (_isVoter)
            matches[^1] = Log.DurableIndex;
        var candidate = Quorum.CommitIndex(matches);
        if (candidate <= CommitIndex || Log.TermAt(candidate) != Term)
            return false;
        var firstInTerm = !HasCommittedInCurrentTerm;
        CommitTo(candidate);
        if (!_isVoter && !MembershipChanging)
        {
            StepDownRemoved();
            return false;
        }
        if (firstInTerm)
            OnCommittedInTerm();
        return true;
    }

    /// <summary>Send every secondary what it is missing, batched, within its flow-control window.</summary>
    private void FlushReplicate()
    {
        _flushPending = false;
        foreach (var peer in _peers)
            SendReplicate(peer, _progress[peer], heartbeat: false);
    }

    /// <summary>
    /// The last entry <paramref name="peer"/> may be sent: a learner only what has committed. Its copy counts towards
    /// nothing, so an entry only it received may outlive every voter's copy; yet an uncommitted promotion this log does not
    /// hold may make it a voter in another node's log, and there its newer entry would refuse every candidate that needs
    /// its vote (Raft §5.4.1) while it, a learner in its own log, never campaigns. With a voter wiped, no primary could
    /// ever be elected again (simulator seed 17951). A committed entry is in every later primary's log, so a learner
    /// holding only those refuses no candidate that could win.
    /// </summary>
    private long SendableThrough(string peer) => Membership.IsLearner(peer) ? CommitIndex : Log.LastIndex;

    private void SendReplicate(string peer, Progress progress, bool heartbeat)
    {
        if (heartbeat && progress.State == ProgressState.Probe)
            progress.ProbeSent = false; // the outstanding probe may have been lost
        var paused = progress.IsPaused(_options.MaxInflight);
        if (!paused && progress.Next <= Log.Start.Index)
        {
            SendSnapshot(peer, progress);
            paused = true;
        }
        var sendable = SendableThrough(peer);
        var entries = paused || progress.Next > sendable
            ? []
            : Log.Slice(progress.Next, (int)Math.Min(_options.MaxEntriesPerReplicate, sendable - progress.Next + 1), _options.MaxBytesPerReplicate);
        var commitNews = progress.CommitSent < CommitIndex && !(progress.State != ProgressState.Replicate && paused);
        if (entries.Count == 0 && !heartbeat && !commitNews)
            return;

        // A secondary being sent a snapshot still needs heartbeats: anchor them at the log's start,
        // the oldest point whose term we still know.
        var prevIndex = Math.Max(progress.Next - 1, Log.Start.Index);
        var prevTerm = Log.TermAt(prevIndex)
            ?? throw new InvalidOperationException($"No term for index {prevIndex} (log {Log.Start.Index}..{Log.LastIndex}).");
        Send(new Replicate(Id, peer, Term, prevIndex, prevTerm, entries, CommitIndex, _reads.ContextToSend,
            Promote: CanPromote(peer, progress), LeaseTick: LeaseTickToSend));
        progress.CommitSent = CommitIndex;
        if (entries.Count > 0)
            progress.SentEntries(entries[^1].Index);
    }
}
