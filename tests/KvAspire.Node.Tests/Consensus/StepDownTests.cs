using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.1: a node that sees a higher term adopts it and becomes a secondary.</summary>
public class StepDownTests
{
    public static TheoryData<string> MessageKinds => [nameof(Replicate), nameof(ReplicateResponse), nameof(RequestVote), nameof(RequestVoteResponse)];

    /// <summary>With check-quorum a live primary ignores RequestVote (its lease, below), so that case runs without it.</summary>
    private static readonly RaftOptions NoLease = Options with { CheckQuorum = false };

    private static Message FromPeer(string kind, string to, long term) => kind switch
    {
        nameof(Replicate) => new Replicate("b", to, term, 0, 0, [], 0),
        nameof(ReplicateResponse) => new ReplicateResponse("b", to, term, Success: false, MatchIndex: 0),
        nameof(RequestVote) => new RequestVote("b", to, term, 0, 0),
        nameof(RequestVoteResponse) => new RequestVoteResponse("b", to, term, Granted: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(MessageKinds))]
    public void Primary_BecomesSecondary_OnAnyMessageWithAHigherTerm(string kind)
    {
        var primary = NewPrimary(options: kind == nameof(RequestVote) ? NoLease : Options);
        DrainAll(primary);
        var higher = primary.Term + 3;

        primary.Step(FromPeer(kind, "a", higher));

        Assert.Equal(Role.Secondary, primary.Role);
        Assert.Equal(higher, primary.Term);
        Assert.Null(primary.ProgressOf("b"));
        // The RequestVote's empty log is behind the primary's no-op, so no vote is cast either.
        Assert.Equal(new HardState(higher, VotedFor: null), Drain(primary).HardState);
        Assert.False(primary.Propose(Bytes("x")).Accepted);
    }

    [Theory]
    [MemberData(nameof(MessageKinds))]
    public void Candidate_BecomesSecondary_OnAnyMessageWithAHigherTerm(string kind)
    {
        var candidate = NewRaft("a");
        TickUntilCandidate(candidate);

        candidate.Step(FromPeer(kind, "a", candidate.Term + 1));

        Assert.Equal(Role.Secondary, candidate.Role);
        Assert.Equal(2, candidate.Term);
    }

    [Fact]
    public void Candidate_BecomesSecondary_OnReplicateOfItsOwnTerm()
    {
        var candidate = NewRaft("a");
        TickUntilCandidate(candidate);
        var term = candidate.Term;

        candidate.Step(new Replicate("b", "a", term, 0, 0, [], 0));

        Assert.Equal(Role.Secondary, candidate.Role);
        Assert.Equal(term, candidate.Term);
        Assert.Equal("b", candidate.Primary);
        var answer = Assert.Single(Drain(candidate).Messages.OfType<ReplicateResponse>());
        Assert.True(answer.Success);
    }

    [Fact]
    public void Primary_InItsLease_IgnoresRequestVoteWithAHigherTerm()
    {
        // Raft thesis §4.2.3: a node that merely missed heartbeats must not depose a primary that a
        // majority still hears from.
        var primary = NewPrimary();
        DrainAll(primary);
        var term = primary.Term;

        primary.Step(new RequestVote("b", "a", term + 1, 100, 100));

        Assert.Equal(Role.Primary, primary.Role);
        Assert.Equal(term, primary.Term);
        Assert.Empty(DrainAll(primary).OfType<RequestVoteResponse>());
    }

    [Fact]
    public void Secondary_InItsPrimaryLease_IgnoresRequestVoteWithAHigherTerm_UntilTheLeaseExpires()
    {
        var secondary = NewRaft("b");
        secondary.Step(new Replicate("a", "b", 1, 0, 0, [], 0));
        DrainAll(secondary);

        secondary.Step(new RequestVote("c", "b", 2, 0, 0));
        Assert.Empty(DrainAll(secondary));
        Assert.Equal(1, secondary.Term);

        for (var i = 0; i < Options.ElectionTicksMin && secondary.Role == Role.Secondary; i++)
            secondary.Tick();
        secondary.Step(new RequestVote("c", "b", secondary.Term + 1, 0, 0));
        Assert.True(Assert.Single(DrainAll(secondary).OfType<RequestVoteResponse>()).Granted);
    }

    [Fact]
    public void Primary_IgnoresRequestVoteResponses_AndVotesOfItsOwnTerm()
    {
        var primary = NewPrimary();
        DrainAll(primary);

        primary.Step(new RequestVoteResponse("c", "a", primary.Term, Granted: false));
        primary.Step(new RequestVote("c", "a", primary.Term, 100, primary.Term));

        Assert.Equal(Role.Primary, primary.Role);
        Assert.False(Assert.Single(Drain(primary).Messages.OfType<RequestVoteResponse>()).Granted);
    }

    [Fact]
    public void StalePrimary_LearnsTheNewTerm_FromTheAnswerToItsReplicate()
    {
        var secondary = NewRaft("b", term: 7);

        secondary.Step(new Replicate("a", "b", 6, 0, 0, [new Entry(1, 6, Bytes("x"))], 0));

        var answer = Assert.Single(Drain(secondary).Messages.OfType<ReplicateResponse>());
        Assert.False(answer.Success);
        Assert.Equal(7, answer.Term);
        Assert.Equal(0, secondary.Log.LastIndex);
    }
}
