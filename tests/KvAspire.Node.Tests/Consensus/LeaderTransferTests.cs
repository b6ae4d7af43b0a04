using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft thesis §3.10: leadership transfer (etcd-io/raft's MsgTransferLeader / MsgTimeoutNow).</summary>
public class LeaderTransferTests
{
    private static RaftOptions Production { get; } = RaftTestKit.Options with { PreVote = true };

    [Fact]
    public void Transfer_ToAnUpToDateSecondary_ElectsIt_WithoutWaitingForATimeout()
    {
        var network = new TestNetwork(3, seed: 2, Production);
        var old = network.ElectPrimary();
        var target = network.Ids.First(id => id != old.Id);
        var term = old.Term;
        var ticks = network.Ticks;

        Assert.Equal(new TransferResult(TransferStatus.Started, target), old.HandOver(target));
        network.Deliver(); // one round of messages: TimeoutNow, then the election's

        Assert.Equal(ticks, network.Ticks);
        Assert.Equal(target, network.Primary.Id);
        Assert.Equal(term + 1, network.Primary.Term);
        Assert.Equal(Role.Secondary, old.Role);
        Assert.Equal(target, old.Primary);
    }

    [Fact]
    public void Transfer_ToALaggingSecondary_CatchesItUpFirst_AndLosesNothing()
    {
        var network = new TestNetwork(3, seed: 3, Production);
        var old = network.ElectPrimary();
        var lagging = network.Ids.Last(id => id != old.Id);
        network.Isolate(lagging);
        var writes = Enumerable.Range(0, 3).Select(i => old.Propose(Bytes($"w{i}"))).ToList();
        network.Deliver();
        Assert.Equal(writes[^1].Index, old.CommitIndex);
        network.Heal();

        Assert.Equal(TransferStatus.Started, old.HandOver(lagging).Status);
        network.Deliver();

        var primary = network.Primary;
        Assert.Equal(lagging, primary.Id);
        Assert.All(writes, w => Assert.Equal(w.Term, primary.Log.TermAt(w.Index)));
    }

    [Fact]
    public void Primary_ChoosesTheMostUpToDateSecondary_WhenNoTargetIsNamed()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        primary.Propose(Bytes("x"));
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 1));
        primary.Step(Ack(primary, "c", 2));
        DrainAll(primary);

        var result = primary.HandOver();

        Assert.Equal(new TransferResult(TransferStatus.Started, "c"), result);
        var timeoutNow = Assert.Single(DrainAll(primary).OfType<TimeoutNow>());
        Assert.Equal("c", timeoutNow.To);
    }

    [Fact]
    public void Primary_WaitsForTheTargetToCatchUp_BeforeSendingTimeoutNow()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 0));
        DrainAll(primary);

        primary.HandOver("b");
        var sent = DrainAll(primary);
        Assert.Empty(sent.OfType<TimeoutNow>());
        Assert.NotEmpty(sent.To<Replicate>("b"));

        primary.Step(Ack(primary, "b", primary.Log.LastIndex));
        Assert.Single(DrainAll(primary).To<TimeoutNow>("b"));
    }

    [Fact]
    public void Primary_RefusesProposals_WhileTransferring_NamingTheTarget()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        primary.HandOver("b");

        var refused = primary.Propose(Bytes("x"));

        Assert.False(refused.Accepted);
        Assert.Equal("b", refused.Primary);
        Assert.Equal("b", primary.TransferTarget);
    }

    [Fact]
    public void Transfer_IsAbandoned_AfterAnElectionTimeout_AndProposalsResume()
    {
        var network = new TestNetwork(3, seed: 5, Production);
        var primary = network.ElectPrimary();
        var target = network.Ids.First(id => id != primary.Id);
        network.Isolate(target);
        primary.HandOver(target);

        network.Tick(Production.ElectionTicksMin - 1);
        Assert.Equal(target, primary.TransferTarget);
        network.Tick();

        Assert.Null(primary.TransferTarget);
        Assert.Equal(Role.Primary, primary.Role);
        Assert.True(primary.Propose(Bytes("after")).Accepted);
    }

    [Fact]
    public void HandOver_IsRefused_ByASecondary_AndForAnUnknownOrSelfTarget()
    {
        Assert.Equal(TransferStatus.NotPrimary, NewRaft("a").HandOver("b").Status);
        var primary = NewPrimary();
        Assert.Equal(TransferStatus.UnknownTarget, primary.HandOver("z").Status);
        Assert.Equal(TransferStatus.UnknownTarget, primary.HandOver("a").Status);
        Assert.Null(primary.TransferTarget);
        Assert.True(primary.Propose(Bytes("x")).Accepted);
    }

    [Fact]
    public void Secondary_CampaignsAtOnce_OnTimeoutNow_SkippingPreVote()
    {
        var secondary = NewRaft("b", options: Production);
        secondary.Step(new Replicate("a", "b", 1, 0, 0, [], 0));
        DrainAll(secondary);

        secondary.Step(new TimeoutNow("a", "b", 1));

        Assert.Equal(Role.Candidate, secondary.Role);
        Assert.Equal(2, secondary.Term);
        var votes = DrainAll(secondary).OfType<RequestVote>().ToList();
        Assert.Equal(2, votes.Count);
        Assert.All(votes, v => Assert.True(v.Transfer && !v.PreVote));
    }

    [Fact]
    public void Voter_InAPrimaryLease_GrantsATransferElection_ButIgnoresAnOrdinaryOne()
    {
        var voter = NewRaft("c");
        voter.Step(new Replicate("a", "c", 1, 0, 0, [], 0));
        DrainAll(voter);

        voter.Step(new RequestVote("b", "c", 2, 0, 0));
        Assert.Equal(1, voter.Term);
        Assert.Empty(DrainAll(voter));

        voter.Step(new RequestVote("b", "c", 2, 0, 0, Transfer: true));
        Assert.Equal(2, voter.Term);
        var answer = Assert.Single(DrainAll(voter).OfType<RequestVoteResponse>());
        Assert.True(answer.Granted);
    }

    [Fact]
    public void Candidate_IgnoresTimeoutNow()
    {
        var raft = NewRaft("b");
        TickUntilCandidate(raft);
        var term = raft.Term;
        raft.Step(new TimeoutNow("a", "b", term));
        Assert.Equal(term, raft.Term);
    }

    [Fact]
    public void Primary_StillServesReads_WhileTransferring()
    {
        var network = new TestNetwork(3, seed: 6, Production);
        var primary = network.ElectPrimary();
        var target = network.Ids.First(id => id != primary.Id);
        network.Isolate(target);
        primary.HandOver(target);

        Assert.True(primary.ReadIndex(1));
        network.Deliver();

        Assert.Equal([1L], network.ReadStates(primary.Id).Select(s => s.RequestId));
    }
}
