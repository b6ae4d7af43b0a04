using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.2 and §5.4.1: who may be given a vote.</summary>
public class VoteTests
{
    private static RequestVoteResponse AskForVote(Raft voter, string candidate, long term, long lastIndex = 0, long lastTerm = 0)
    {
        voter.Step(new RequestVote(candidate, voter.Id, term, lastIndex, lastTerm));
        return Assert.Single(Drain(voter).Messages.OfType<RequestVoteResponse>());
    }

    [Fact]
    public void Secondary_GrantsVote_ToFirstCandidateOfANewTerm()
    {
        var voter = NewRaft("b", term: 1);

        var response = AskForVote(voter, "a", term: 2);

        Assert.True(response.Granted);
        Assert.Equal(new RequestVoteResponse("b", "a", 2, Granted: true) { Standing = Standing.Unfounded }, response);
        Assert.Equal("a", voter.VotedFor);
    }

    [Fact]
    public void Secondary_RejectsRequestVote_FromAStaleTerm_AndAnswersWithItsHigherTerm()
    {
        var voter = NewRaft("b", term: 3);

        var response = AskForVote(voter, "a", term: 2, lastIndex: 10, lastTerm: 2);

        Assert.False(response.Granted);
        Assert.Equal(3, response.Term);
        Assert.Equal(3, voter.Term);
        Assert.Null(voter.VotedFor);
    }

    [Fact]
    public void Secondary_RefusesASecondVoteInTheSameTerm_ForADifferentCandidate()
    {
        var voter = NewRaft("b");
        Assert.True(AskForVote(voter, "a", term: 5).Granted);

        var response = AskForVote(voter, "c", term: 5);

        Assert.False(response.Granted);
        Assert.Equal("a", voter.VotedFor);
    }

    [Fact]
    public void Secondary_GrantsAgain_ARepeatedRequestFromTheCandidateItVotedFor()
    {
        // The first answer may have been lost; granting again is the same vote, not a second one.
        var voter = NewRaft("b");
        Assert.True(AskForVote(voter, "a", term: 5).Granted);

        Assert.True(AskForVote(voter, "a", term: 5).Granted);
        Assert.Equal("a", voter.VotedFor);
    }

    [Theory]
    [InlineData(5, 1, "lower last term, longer log")]
    [InlineData(1, 2, "same last term, shorter log")]
    [InlineData(0, 0, "empty log")]
    public void Secondary_RejectsCandidate_WhoseLogIsNotUpToDate(long lastIndex, long lastTerm, string why)
    {
        var voter = NewRaft("b", term: 2, log: Log(1, 2));

        var response = AskForVote(voter, "a", term: 3, lastIndex, lastTerm);

        Assert.False(response.Granted, why);
        Assert.Equal(3, voter.Term); // the higher term is still adopted
        Assert.Null(voter.VotedFor);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(1, 3)]
    public void Secondary_GrantsCandidate_WhoseLogIsAtLeastAsUpToDate(long lastIndex, long lastTerm)
    {
        var voter = NewRaft("b", term: 2, log: Log(1, 2));

        Assert.True(AskForVote(voter, "a", term: 3, lastIndex, lastTerm).Granted);
    }

    [Fact]
    public void Vote_IsInTheHardStateOfTheSameReadyAsTheResponse()
    {
        // Persist before send: the host writes HardState before it sends Messages of the same Ready.
        var voter = NewRaft("b", term: 1, options: Options with { AsyncStorageWrites = true });

        voter.Step(new RequestVote("a", "b", 2, 0, 0));
        var ready = voter.TakeReady();

        Assert.Equal(new HardState(2, "a"), ready.HardState);
        Assert.False(ready.DurabilityMayFollow);
        Assert.True(Assert.Single(ready.Messages.OfType<RequestVoteResponse>()).Granted);
    }

    [Fact]
    public void Secondary_RefusesVote_InATermWhoseReplicateItAlreadyAccepted()
    {
        var voter = NewRaft("b");
        voter.Step(new Replicate("a", "b", 4, 0, 0, [], 0));
        Drain(voter);

        Assert.False(AskForVote(voter, "c", term: 4).Granted);
    }

    [Fact]
    public void Candidate_RefusesToVoteForAnotherCandidate_OfItsTerm()
    {
        var candidate = NewRaft("a");
        TickUntilCandidate(candidate);
        Drain(candidate);

        Assert.False(AskForVote(candidate, "c", candidate.Term, lastIndex: 10, lastTerm: candidate.Term).Granted);
        Assert.Equal(Role.Candidate, candidate.Role);
    }
}
