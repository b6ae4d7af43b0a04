using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft thesis §6.4.1: the voters' side of a lease (<see cref="ReadMode.Lease"/>), what the primary's lease counts on.</summary>
public class LeasePromiseTests
{
    private static readonly RaftOptions Lease = Options with { ReadMode = ReadMode.Lease, PreVote = true };

    private static Replicate Heartbeat(long term, long leaseTick) =>
        new("a", "b", term, PrevLogIndex: 0, PrevLogTerm: 0, Entries: [], CommitIndex: 0, LeaseTick: leaseTick);

    private static RequestVote VoteFor(string candidate, long term, bool preVote = false, bool transfer = false) =>
        new(candidate, "b", term, LastLogIndex: 0, LastLogTerm: 0, PreVote: preVote, Transfer: transfer);

    private static bool Granted(Raft voter) => DrainAll(voter).OfType<RequestVoteResponse>().Any(r => r.Granted);

    [Fact]
    public void Voter_RefusesVotes_AfterALateAnswerMovedItsTermOn_UntilAnElectionTimeoutAfterThePrimary()
    {
        var voter = NewRaft("b", term: 1, options: Lease);
        voter.Step(Heartbeat(term: 1, leaseTick: 5));
        DrainAll(voter);

        voter.Step(new RequestVoteResponse("c", "b", 3, Granted: false)); // an answer to a vote request of long ago
        Assert.Equal(3, voter.Term);
        Assert.Null(voter.Primary);
        voter.Step(VoteFor("c", 3));
        voter.Step(VoteFor("c", 4));
        voter.Step(VoteFor("c", 4, preVote: true));

        Assert.False(Granted(voter));
        for (var i = 0; i < Lease.ElectionTicksMin; i++)
            voter.Tick();
        voter.Step(VoteFor("c", 5));
        Assert.True(Granted(voter));
    }

    [Fact]
    public void Voter_RefusesVotes_ForAnElectionTimeoutAfterItStarts()
    {
        var voter = NewRaft("b", term: 1, options: Lease);

        voter.Step(VoteFor("c", 2));
        Assert.False(Granted(voter));

        for (var i = 0; i < Lease.ElectionTicksMin; i++)
            voter.Tick();
        voter.Step(VoteFor("c", 2));
        Assert.True(Granted(voter));
    }

    [Fact]
    public void Voter_GrantsATransferVote_DespiteItsPromise()
    {
        var voter = NewRaft("b", term: 1, options: Lease);
        voter.Step(Heartbeat(term: 1, leaseTick: 5));
        DrainAll(voter);

        voter.Step(VoteFor("c", 2, transfer: true));

        Assert.True(Granted(voter));
    }

    [Fact]
    public void Voter_EchoesTheNewestLeaseTick_ItReceivedFromThisTermsPrimary()
    {
        var voter = NewRaft("b", term: 1, options: Lease);
        voter.Step(Heartbeat(term: 1, leaseTick: 7));
        voter.Step(Heartbeat(term: 1, leaseTick: 6)); // delivered out of order

        var echoed = DrainAll(voter).OfType<ReplicateResponse>().Select(r => r.LeaseTick).ToList();

        Assert.Equal([7L, 7L], echoed);
        voter.Step(Heartbeat(term: 2, leaseTick: 3)); // a new primary's clock
        Assert.Equal(3, DrainAll(voter).OfType<ReplicateResponse>().Single().LeaseTick);
    }

    [Fact]
    public void VoterRunningReadIndex_EchoesNoLeaseTick_SoNoPrimaryCountsItsPromise()
    {
        var voter = NewRaft("b", term: 1);
        voter.Step(Heartbeat(term: 1, leaseTick: 7));

        Assert.Equal(0, DrainAll(voter).OfType<ReplicateResponse>().Single().LeaseTick);
    }
}
