namespace KvAspire.Node.Consensus;

/// <summary>
/// Lease reads (Raft thesis §6.4.1; etcd-io/raft's ReadOnlyLeaseBased), under <see cref="ReadMode.Lease"/>.
/// The voter's promise: a node that received a Replicate or InstallSnapshot from a primary grants no vote and no pre-vote,
/// other than to a transfer's candidate, for <see cref="RaftOptions.ElectionTicksMin"/> of its own ticks — whatever terms it
/// hears of meanwhile (a late answer to an old vote request can carry a newer term and clear the primary it knew), and
/// from its start, since it cannot know what it promised before it restarted.
/// The primary's lease: once a majority of the voters in force has echoed Replicates it sent at tick T or later, no other
/// primary can be elected before T + ElectionTicksMin on their clocks, so until T + ElectionTicksMin − LeaseMarginTicks
/// on its own clock it answers reads at its commit index without a round. T is the send, which precedes every receipt.
/// </summary>
public sealed partial class Raft
{
    /// <summary>Ticks since this node last heard a primary of its term, counted up to ElectionTicksMin; 0 at start.</summary>
    private int _sincePrimaryHeard;
    /// <summary>The newest <see cref="Replicate.LeaseTick"/> received from this term's primary: what this node's answers echo.</summary>
    private long _primaryLeaseTick;
    /// <summary>This primary started a transfer in its term: the TimeoutNow, maybe still in the network, lets its target be
    /// elected past the voters' promise at any later moment, so no lease read until the term ends.</summary>
    private bool _leaseForfeited;

    private bool LeaseReads => _options.ReadMode == ReadMode.Lease;

    /// <summary>This node keeps the voter's promise and is bound by it now.</summary>
    private bool PromisedToPrimary => LeaseReads && _sincePrimaryHeard < _options.ElectionTicksMin;

    /// <summary>What a Replicate sent now carries as <see cref="Replicate.LeaseTick"/>.</summary>
    private long LeaseTickToSend => LeaseReads ? _ticks : 0;

    /// <summary>What an answer to this term's primary carries as <see cref="ReplicateResponse.LeaseTick"/>: only a node that keeps
    /// the promise echoes, so a primary never counts a voter configured for ReadIndex.</summary>
    private long LeaseTickToEcho => LeaseReads ? _primaryLeaseTick : 0;

    private void TickPromise()
    {
        if (_sincePrimaryHeard < _options.ElectionTicksMin)
            _sincePrimaryHeard++;
    }

    /// <summary>A message from this term's primary arrived; <paramref name="leaseTick"/> is its send tick (0: none).</summary>
    private void HeardPrimary(long leaseTick)
    {
        _sincePrimaryHeard = 0;
        _primaryLeaseTick = Math.Max(_primaryLeaseTick, leaseTick);
    }

    /// <summary>
    /// The primary holds its lease: it has not started a transfer in this term, and a majority of the voters in force (itself
    /// counted at the current tick while it is one; a joining node never, as it may have lost its promise with its disk)
    /// echoed a Replicate sent recently enough. The caller also requires a commit in this term, as for ReadIndex.
    /// </summary>
    private bool HoldsLease()
    {
        if (!LeaseReads || _leaseForfeited)
            return false;
        Span<long> sent = stackalloc long[VoterCount];
        for (var i = 0; i < _voters.Length; i++)
            sent[i] = _progress[_voters[i]] is { Joining: false } progress ? progress.LeaseTick : 0;
        if (_isVoter)
            sent[^1] = _ticks;
        var since = Quorum.ReachedByMajority(sent);
        return since > 0 && _ticks < since + _options.ElectionTicksMin - _options.LeaseMarginTicks;
    }
}
