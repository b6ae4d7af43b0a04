using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft thesis §9.6: a pre-vote round, so a node that cannot win never bumps the term.</summary>
public class PreVoteTests
{
    private static readonly RaftOptions WithPreVote = Options with { PreVote = true };

    private static Raft NewPreCandidate(long term = 0, IEnumerable<Entry>? log = null)
    {
        var raft = NewRaft("a", term, log: log, options: WithPreVote);
        for (var ticks = 0; raft.Role != Role.PreCandidate; ticks++)
        {
            Assert.True(ticks < WithPreVote.ElectionTicksMax, "no pre-vote round within the election timeout");
            raft.Tick();
        }
        return raft;
    }

    [Fact]
    public void Secondary_WithPreVote_AsksForPreVotes_WithoutChangingTermOrVote()
    {
        var raft = NewPreCandidate(term: 3, log: Log(1, 3));

        Assert.Equal(3, raft.Term);
        Assert.Null(raft.VotedFor);
        var ready = Drain(raft);
        Assert.Null(ready.HardState);
        var requests = ready.Messages.OfType<RequestVote>().OrderBy(m => m.To).ToList();
        Assert.Equal(["b", "c"], requests.Select(r => r.To));
        Assert.All(requests, r => Assert.Equal(new RequestVote("a", r.To, 4, 2, 3, PreVote: true), r));
    }

    [Fact]
    public void PreCandidate_StartsARealElection_WithAMajorityOfPreVotes()
    {
        var raft = NewPreCandidate(term: 3);
        Drain(raft);

        raft.Step(new RequestVoteResponse("b", "a", 4, Granted: true, PreVote: true));

        Assert.Equal(Role.Candidate, raft.Role);
        Assert.Equal(4, raft.Term);
        Assert.Equal("a", raft.VotedFor);
        var ready = Drain(raft);
        Assert.Equal(new HardState(4, "a"), ready.HardState);
        Assert.All(ready.Messages.OfType<RequestVote>(), r => Assert.False(r.PreVote));
    }

    [Fact]
    public void PreCandidate_ReturnsToSecondary_WhenAMajorityRejects()
    {
        var raft = NewPreCandidate(term: 3);

        raft.Step(new RequestVoteResponse("b", "a", 3, Granted: false, PreVote: true));
        raft.Step(new RequestVoteResponse("c", "a", 3, Granted: false, PreVote: true));

        Assert.Equal(Role.Secondary, raft.Role);
        Assert.Equal(3, raft.Term);
    }

    [Fact]
    public void RejectedPreVote_CarriesTheVotersOwnTerm_NotTheOneAskedFor()
    {
        var voter = NewRaft("b", term: 3, log: Log(1, 3), options: WithPreVote);

        voter.Step(new RequestVote("a", "b", 4, LastLogIndex: 1, LastLogTerm: 1, PreVote: true)); // a's log is behind

        var response = Assert.Single(Drain(voter).Messages.OfType<RequestVoteResponse>());
        Assert.False(response.Granted);
        Assert.Equal(3, response.Term);
        Assert.Equal(3, voter.Term);
    }

    [Fact]
    public void PreCandidate_AdoptsTheHigherTerm_OfAPreVoteRejection()
    {
        var raft = NewPreCandidate(term: 3);

        raft.Step(new RequestVoteResponse("b", "a", 9, Granted: false, PreVote: true));

        Assert.Equal(Role.Secondary, raft.Role);
        Assert.Equal(9, raft.Term);
    }

    [Fact]
    public void PreCandidate_IgnoresRealVoteResponses()
    {
        var raft = NewPreCandidate(term: 3);

        raft.Step(new RequestVoteResponse("b", "a", 3, Granted: true));
        raft.Step(new RequestVoteResponse("c", "a", 3, Granted: true));

        Assert.Equal(Role.PreCandidate, raft.Role);
    }

    [Fact]
    public void Voter_GrantsPreVote_WithoutRecordingAVoteOrChangingTerm()
    {
        var voter = NewRaft("b", term: 2, votedFor: "c", log: Log(1, 2), options: WithPreVote);

        voter.Step(new RequestVote("a", "b", 3, 2, 2, PreVote: true));
        var ready = Drain(voter);

        var answer = Assert.Single(ready.Messages.OfType<RequestVoteResponse>());
        Assert.Equal(new RequestVoteResponse("b", "a", 3, Granted: true, PreVote: true), answer);
        Assert.Null(ready.HardState);
        Assert.Equal(2, voter.Term);
        Assert.Equal("c", voter.VotedFor);
    }

    [Fact]
    public void Voter_RejectsPreVote_FromACandidateWithAnOutOfDateLog()
    {
        var voter = NewRaft("b", term: 2, log: Log(1, 2), options: WithPreVote);

        voter.Step(new RequestVote("a", "b", 3, 5, 1, PreVote: true));

        var answer = Assert.Single(Drain(voter).Messages.OfType<RequestVoteResponse>());
        Assert.False(answer.Granted);
        Assert.True(answer.PreVote);
        Assert.Equal(2, voter.Term);
    }

    [Fact]
    public void IsolatedSecondary_WithPreVote_DoesNotDisruptThePrimary_WhenItRejoins()
    {
        var network = new TestNetwork(3, seed: 17);
        var primary = network.ElectPrimary();
        var term = primary.Term;
        var loner = network.Ids.First(id => id != primary.Id);

        network.Isolate(loner);
        network.Tick(20 * network.Options.ElectionTicksMax);
        Assert.Equal(term, network[loner].Term);
        network.Heal();
        network.Tick(network.Options.ElectionTicksMax);

        Assert.Same(primary, network.Primary);
        Assert.All(network.Live, r => Assert.Equal(term, r.Term));
    }

    [Fact]
    public void IsolatedSecondary_WithoutPreVote_DisruptsThePrimary_WhenItRejoins()
    {
        // The contrast that motivates pre-vote: the loner's inflated term deposes the primary.
        var network = new TestNetwork(3, seed: 17, options: new RaftOptions { PreVote = false });
        var primary = network.ElectPrimary();
        var term = primary.Term;
        var loner = network.Ids.First(id => id != primary.Id);

        network.Isolate(loner);
        network.Tick(20 * network.Options.ElectionTicksMax);
        Assert.True(network[loner].Term > term);
        network.Heal();
        network.Tick(network.Options.ElectionTicksMax);
        network.ElectPrimary();

        Assert.True(network.Primary.Term > term);
    }
}
