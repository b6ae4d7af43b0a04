namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    private readonly ReadIndexQueue _reads = new();
    private List<ReadState> _readStates = [];

    /// <summary>
    /// Ask for a linearizable read (ReadIndex, Raft thesis §6.4). Returns false at once when this node is
    /// not primary. Otherwise a <see cref="ReadState"/> with <paramref name="requestId"/> appears in a later
    /// Ready once a majority has confirmed this node is still primary; if it stops being primary first,
    /// no ReadState comes and the host must fail the read. Under <see cref="ReadMode.Lease"/>, a primary that holds its lease
    /// confirms the read at once (Raft.Lease.cs); the host must have brought its ticks up to date first.
    /// </summary>
    public bool ReadIndex(long requestId)
    {
        if (Role != Role.Primary)
            return false;
        if (!HasCommittedInCurrentTerm)
        {
            _reads.AwaitTermCommit(requestId);
            return true;
        }
        if (HoldsLease())
        {
            _readStates.Add(new ReadState(requestId, CommitIndex));
            return true;
        }
        _reads.Add(requestId);
        ReleaseReads();
        return true;
    }

    private void FlushReadRound()
    {
        _readRoundPending = false;
        if (_reads.ContextToSend == 0)
            return;
        foreach (var peer in _peers)
            SendReplicate(peer, _progress[peer], heartbeat: true);
    }

    /// <summary>The first commit of this term: reads waiting for it can now be indexed.</summary>
    private void OnCommittedInTerm()
    {
        _reads.TermCommitted();
        ReleaseReads();
    }

    /// <summary>Releases a confirmed round and starts the next one for the reads that wait (at once again, until one
    /// needs peers: a single node confirms its own rounds). A round's heartbeats go out once per Ready.</summary>
    private void ReleaseReads()
    {
        do
        {
            _readRoundPending |= _reads.TryStart(CommitIndex, _isVoter ? Id : null);
        }
        while (_reads.Release(VoterCount, _readStates));
    }
}
