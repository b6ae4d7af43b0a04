using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.2, leader election.</summary>
public class ElectionTests
{
    [Fact]
    public void Secondary_StaysSecondary_BeforeTheMinimumElectionTimeout()
    {
        var raft = NewRaft("a");

        for (var i = 0; i < Options.ElectionTicksMin - 1; i++)
            raft.Tick();

        Assert.Equal(Role.Secondary, raft.Role);
        Assert.Equal(0, raft.Term);
    }

    [Fact]
    public void Secondary_BecomesCandidate_WithTermPlusOneAndItsOwnVote_AfterTheElectionTimeout()
    {
        var raft = NewRaft("a", term: 4, log: Log(1, 3));

        for (var i = 0; i < Options.ElectionTicksMax - 1; i++)
            raft.Tick();

        Assert.Equal(Role.Candidate, raft.Role);
        Assert.Equal(5, raft.Term);
        Assert.Equal("a", raft.VotedFor);
        var ready = Drain(raft);
        Assert.Equal(new HardState(5, "a"), ready.HardState);
        var requests = ready.Messages.OfType<RequestVote>().OrderBy(m => m.To).ToList();
        Assert.Equal(["b", "c"], requests.Select(r => r.To));
        Assert.All(requests, r => Assert.Equal(new RequestVote("a", r.To, 5, LastLogIndex: 2, LastLogTerm: 3), r));
    }

    [Fact]
    public void Candidate_BecomesPrimary_WithTwoOfThreeVotes()
    {
        var raft = NewRaft("a");
        TickUntilCandidate(raft);
        DrainAll(raft);

        raft.Step(new RequestVoteResponse("b", "a", raft.Term, Granted: true));

        Assert.Equal(Role.Primary, raft.Role);
        Assert.Equal("a", raft.Primary);
        // Raft §5.4.2: a new primary appends a no-op of its own term so earlier entries can commit.
        Assert.Equal(1, raft.Log.LastIndex);
        Assert.True(raft.Log[1].IsNoOp);
        Assert.Equal(raft.Term, raft.Log[1].Term);
    }

    [Fact]
    public void Candidate_StaysCandidate_WithOnlyItsOwnVote()
    {
        var raft = NewRaft("a", cluster: ["a", "b", "c", "d", "e"]);
        TickUntilCandidate(raft);

        raft.Step(new RequestVoteResponse("b", "a", raft.Term, Granted: true));
        raft.Step(new RequestVoteResponse("b", "a", raft.Term, Granted: true)); // a duplicate counts once

        Assert.Equal(Role.Candidate, raft.Role);
    }

    [Fact]
    public void Candidate_BecomesSecondary_WhenAMajorityRejects()
    {
        var raft = NewRaft("a");
        TickUntilCandidate(raft);
        var term = raft.Term;

        raft.Step(new RequestVoteResponse("b", "a", term, Granted: false));
        Assert.Equal(Role.Candidate, raft.Role); // its own vote and one rejection: still undecided
        raft.Step(new RequestVoteResponse("c", "a", term, Granted: false));

        Assert.Equal(Role.Secondary, raft.Role);
        Assert.Equal(term, raft.Term);
    }

    [Fact]
    public void Candidate_StartsANewElection_WhenTheElectionTimesOut()
    {
        var raft = NewRaft("a");
        TickUntilCandidate(raft);
        var firstTerm = raft.Term;

        for (var i = 0; i < Options.ElectionTicksMax; i++)
            raft.Tick();

        Assert.Equal(Role.Candidate, raft.Role);
        Assert.True(raft.Term > firstTerm);
    }

    [Fact]
    public void SingleNodeCluster_ElectsItself_AndCommitsItsNoOp()
    {
        var network = new TestNetwork(["solo"]);

        network.RunUntil(() => network["solo"].HasCommittedInCurrentTerm, Options.ElectionTicksMax, "the single node to lead");

        Assert.Equal(Role.Primary, network["solo"].Role);
        Assert.Equal(1, network["solo"].Term);
        Assert.Single(network.Applied("solo"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    public void ThreeNodeNetwork_ElectsExactlyOnePrimary_AndEveryoneFollowsIt(int seed)
    {
        var network = new TestNetwork(3, seed);

        var primary = network.ElectPrimary();
        network.Tick(50);

        Assert.Same(primary, network.Primary);
        Assert.All(network.Live, r => Assert.Equal(primary.Id, r.Primary));
        Assert.All(network.Live, r => Assert.Equal(primary.Term, r.Term));
    }

    [Fact]
    public void Options_AreValidated_WithTheSettingNamed()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => NewRaft("a", options: new RaftOptions { HeartbeatTicks = 5, ElectionTicksMin = 5, ElectionTicksMax = 10 }));

        Assert.Equal(nameof(RaftOptions.ElectionTicksMin), error.ParamName);
    }
}
