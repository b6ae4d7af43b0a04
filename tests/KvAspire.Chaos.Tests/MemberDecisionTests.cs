using KvAspire.Chaos.Membership;

namespace KvAspire.Chaos.Tests;

public sealed class MemberDecisionTests
{
    private static readonly string[] Nodes = ["node1", "node2", "node3", "node4", "node5"];

    private static MembershipStep Step(MembershipIntent intent, bool removePrimary = false, int pick = 0) =>
        new(1, TimeSpan.FromSeconds(3), intent, removePrimary, pick);

    private static Configuration Voters(params string[] voters) => new("node1", voters, [], Changing: false);

    [Fact]
    public void NothingIsAsked_WhileAChangeIsUnderWay()
    {
        var changing = Voters("node1", "node2", "node3", "node4") with { Changing = true };

        Assert.Null(MemberDecision.Decide(Step(MembershipIntent.Shrink), changing, Nodes));
        Assert.Null(MemberDecision.Decide(Step(MembershipIntent.Grow), changing, Nodes));
    }

    [Fact]
    public void ALearnerLeftBehind_IsPromotedFirst()
    {
        var configuration = Voters("node1", "node2", "node3", "node4") with { Learners = ["node5"] };

        Assert.Equal(new MemberChange(MemberChangeKind.Promote, "node5"), MemberDecision.Decide(Step(MembershipIntent.Shrink), configuration, Nodes));
    }

    [Fact]
    public void AtThreeVoters_AShrinkGrowsInstead()
    {
        var change = MemberDecision.Decide(Step(MembershipIntent.Shrink, removePrimary: true), Voters("node1", "node2", "node3"), Nodes);

        Assert.Equal(MemberChangeKind.Add, change!.Kind);
        Assert.Contains(change.Node, new[] { "node4", "node5" });
    }

    [Fact]
    public void WithEveryNodeAVoter_AGrowShrinksInstead()
    {
        var change = MemberDecision.Decide(Step(MembershipIntent.Grow), Voters(Nodes), Nodes);

        Assert.Equal(MemberChangeKind.Remove, change!.Kind);
    }

    [Fact]
    public void AShrinkForThePrimary_RemovesThePrimary_OtherwiseASecondary()
    {
        var configuration = Voters("node1", "node2", "node3", "node4");

        Assert.Equal(new MemberChange(MemberChangeKind.Remove, "node1"), MemberDecision.Decide(Step(MembershipIntent.Shrink, removePrimary: true), configuration, Nodes));
        for (var pick = 0; pick < 6; pick++)
            Assert.NotEqual("node1", MemberDecision.Decide(Step(MembershipIntent.Shrink, pick: pick), configuration, Nodes)!.Node);
    }

    [Fact]
    public void ARemovedFoundingMember_CanBeAddedAgain()
    {
        var change = MemberDecision.Decide(Step(MembershipIntent.Grow), Voters("node1", "node3", "node4", "node5"), Nodes);

        Assert.Equal(new MemberChange(MemberChangeKind.Add, "node2"), change);
    }

    /// <summary>Whatever the steps and however each change ends (accepted, refused, or committed later, which a step sees
    /// only once it has committed), the voters stay between three and every declared node, one change at a time.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void UnderAnyOutcomes_TheVotersStayBetweenThreeAndEveryNode(int seed)
    {
        var random = new Random(seed);
        var voters = new List<string> { "node1", "node2", "node3" };
        var learners = new List<string>();
        foreach (var step in MembershipPlan.Plan(seed, TimeSpan.FromHours(2), spares: 2))
        {
            var change = MemberDecision.Decide(step, new Configuration(voters[random.Next(voters.Count)], [.. voters], [.. learners], false), Nodes);
            Assert.NotNull(change);
            if (random.Next(3) == 0)
                continue; // refused, or of unknown outcome and never committed
            switch (change.Kind)
            {
                case MemberChangeKind.Add:
                    Assert.DoesNotContain(change.Node, voters);
                    learners.Add(change.Node);
                    break;
                case MemberChangeKind.Promote:
                    learners.Remove(change.Node);
                    voters.Add(change.Node);
                    break;
                default:
                    Assert.True(voters.Remove(change.Node), change.ToString());
                    break;
            }
            Assert.InRange(voters.Count, MemberDecision.MinVoters, Nodes.Length);
        }
    }
}
