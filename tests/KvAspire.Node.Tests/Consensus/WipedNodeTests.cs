using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// A node that lost its disk cannot remember what it promised: the vote it cast in its last term and the
/// entries it acknowledged. It follows a primary, but never votes or counts until that primary promotes it
/// (Raft.Joining.cs). Before the rule a node started with an empty folder loaded term 0 and no vote, and granted
/// any vote at once.
/// </summary>
public class WipedNodeTests
{
    [Fact]
    public void WipedNode_DoesNotVoteAgain_InTheTermItVotedIn()
    {
        // a voted for b in term 5, then lost its disk: c asks for a vote in the same term.
        var wiped = new Raft("a", RaftTestKit.Cluster, Options, new Random(1), HardState.Blank, []);

        wiped.Step(new RequestVote("c", "a", 5, 0, 0));

        var answer = Assert.Single(Drain(wiped).Messages.OfType<RequestVoteResponse>());
        Assert.False(answer.Granted);
        Assert.Null(wiped.VotedFor);
    }

    [Fact]
    public void WipedNode_CannotHelpASecondaryThatLacksACommittedEntry_Win()
    {
        var network = new TestNetwork(["a", "b", "c"]);
        var primary = network.ElectPrimary().Id;
        var lagging = network.Ids.First(id => id != primary);
        var wiped = network.Ids.First(id => id != primary && id != lagging);
        network.Isolate(lagging);
        var write = network.Propose(primary, "acknowledged");
        network.RunUntil(() => network[primary].CommitIndex >= write.Index, 100, "the primary commits with the node about to be wiped");

        network.Wipe(wiped);
        network.Crash(primary);
        network.Heal();
        network.Tick(300);

        // The lagging node lacks the committed entry and the wiped one may not vote: nobody leads until the
        // old primary is back.
        Assert.Empty(network.Primaries);
        Assert.True(network[wiped].Joining);

        network.Restart(primary);
        network.RunUntil(() => network.Primaries.Count == 1 && network.AllLiveApplied(write.Index), 1_000, "a primary leads with the write");
        Assert.Contains(network.Applied(network.Primary.Id), e => e.Index == write.Index && e.Term == write.Term);
    }

    [Fact]
    public void WipedNode_IsPromoted_OnceItHoldsWhatEveryVoterHolds_ThenVotes()
    {
        var network = new TestNetwork(["a", "b", "c"]);
        var primary = network.ElectPrimary();
        for (var i = 0; i < 5; i++)
            network.Propose(primary.Id, $"v{i}");
        var wipedId = network.Ids.First(id => id != primary.Id);
        network.Wipe(wipedId);
        Assert.True(network[wipedId].Joining);

        network.RunUntil(() => !network[wipedId].Joining, 200, "the wiped node is promoted");

        Assert.True(network[wipedId].Log.LastIndex >= 6, "promoted before it held the entries written before the wipe");
        Assert.Equal(primary.Id, network[wipedId].VotedFor);
        // A voter again: it can now help elect a primary without the old one.
        network.Crash(primary.Id);
        network.RunUntil(() => network.Primaries.Count == 1, 500, "a new primary is elected by the other two");
    }

    [Fact]
    public void JoiningNode_AnswersCountTowardsNoQuorum()
    {
        var primary = CaughtUpPrimary();
        var ack = new ReplicateResponse("b", "a", primary.Term, Success: true, MatchIndex: 1) { Standing = Standing.Joining };
        primary.Step(ack);
        DrainAll(primary);
        var next = primary.Propose(Bytes("x"));
        DrainAll(primary);
        primary.Step(new ReplicateResponse("b", "a", primary.Term, Success: true, MatchIndex: next.Index) { Standing = Standing.Joining });
        DrainAll(primary);

        Assert.True(primary.ProgressOf("b")!.Joining);
        Assert.True(primary.CommitIndex < next.Index, "a joining node's acknowledgement committed an entry");
    }

    [Fact]
    public void NewCluster_OfBlankNodes_FoundsItself_AndEveryNodeBecomesAVoter()
    {
        var network = new TestNetwork(["a", "b", "c"]);
        foreach (var id in network.Ids)
            network.Wipe(id);

        network.RunUntil(() => network.Primaries.Count == 1 && network.Live.All(r => !r.Joining), 1_000,
            "blank nodes found a cluster and all become voters");
    }

    [Fact]
    public void FoundingCandidate_NeedsEveryMembersVote()
    {
        var candidate = new Raft("a", RaftTestKit.Cluster, Options, new Random(1), HardState.Blank, []);
        candidate.Step(new RequestVote("b", "a", 1, 0, 0, PreVote: true) { Standing = Standing.Blank });
        candidate.Step(new RequestVote("c", "a", 1, 0, 0, PreVote: true) { Standing = Standing.Blank });
        DrainAll(candidate);
        TickUntilCandidate(candidate);
        var requests = DrainAll(candidate).OfType<RequestVote>().ToList();
        Assert.All(requests, r => Assert.True(r.Founding));

        candidate.Step(new RequestVoteResponse("b", "a", candidate.Term, Granted: true) { Standing = Standing.Unfounded });
        Assert.Equal(Role.Candidate, candidate.Role); // a majority is not enough to found

        candidate.Step(new RequestVoteResponse("c", "a", candidate.Term, Granted: true) { Standing = Standing.Unfounded });
        Assert.Equal(Role.Primary, candidate.Role);
    }

    [Fact]
    public void BlankNode_DoesNotFound_OnStaleWordThatAPeersLogWasEmpty()
    {
        var blank = new Raft("a", RaftTestKit.Cluster, Options, new Random(1), HardState.Blank, []);
        blank.Step(new RequestVote("b", "a", 1, 0, 0, PreVote: true) { Standing = Standing.Blank });
        for (var i = 0; i < 4 * Options.ElectionTicksMax; i++)
        {
            blank.Tick();
            DrainAll(blank);
        }

        blank.Step(new RequestVote("c", "a", 1, 0, 0, PreVote: true) { Standing = Standing.Blank });
        var sent = new List<Message>();
        for (var i = 0; i < Options.ElectionTicksMax; i++)
        {
            blank.Tick();
            sent.AddRange(DrainAll(blank));
        }

        Assert.DoesNotContain(sent.OfType<RequestVote>(), r => r.Founding || !r.PreVote);
        Assert.True(blank.Joining);
    }
}
