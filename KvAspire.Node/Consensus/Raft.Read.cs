namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    private readonly ReadIndexQueue _reads = new();
    private List<ReadState> _readStates = [];

    /// <summary>
    /// Ask for a linearizable read (ReadIndex, Raft thesis §6.4). Returns false at once when this node is
    /// not primary. Otherwise a <see cref="ReadState"/> with <paramref name="requestId"/> appears in a later
    /// Ready once a majority has confirmed this node is still primary; if it stops being primary first,
    /// no ReadState comes and the host must fail the read.
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
        StartReadRound(requestId);
        return true;
    }

    private void StartReadRound(long? requestId)
    {
        _reads.Start(requestId, CommitIndex, Id);
        ReleaseReads();
        // One heartbeat round per Ready, not per read: a round carrying the newest context confirms
        // every read started before it, so reads arriving together share one round trip.
        _readRoundPending |= _reads.ContextToSend != 0;
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
        if (_reads.HasAwaitingTermCommit)
            StartReadRound(requestId: null);
    }

    private void ReleaseReads() => _reads.Release(_peers.Length + 1, _readStates);
}
