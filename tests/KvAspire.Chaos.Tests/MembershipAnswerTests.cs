using System.Net;
using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Membership;

namespace KvAspire.Chaos.Tests;

public sealed class MembershipAnswerTests
{
    [Theory]
    [InlineData(HttpStatusCode.OK, null, ChangeOutcome.Accepted, false)]
    [InlineData(HttpStatusCode.Conflict, "learner_not_caught_up", ChangeOutcome.Refused, true)]
    [InlineData(HttpStatusCode.Conflict, "change_in_progress", ChangeOutcome.Refused, true)]
    [InlineData(HttpStatusCode.Conflict, "already_member", ChangeOutcome.Refused, false)]
    [InlineData(HttpStatusCode.NotFound, "unknown_member", ChangeOutcome.Refused, false)]
    [InlineData(HttpStatusCode.MisdirectedRequest, "not_primary", ChangeOutcome.Refused, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "no_quorum", ChangeOutcome.Refused, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "no_primary", ChangeOutcome.Refused, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "timeout", ChangeOutcome.Unknown, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "leadership_lost", ChangeOutcome.Unknown, false)]
    [InlineData(HttpStatusCode.BadGateway, null, ChangeOutcome.Unknown, false)]
    [InlineData(null, "timeout", ChangeOutcome.Unknown, false)]
    public void AnAnswer_SaysWhetherTheChangeWasMade_AndWhetherToAskAgain(HttpStatusCode? status, string? code, ChangeOutcome outcome, bool retry)
    {
        Assert.Equal(outcome, ChangeAnswers.Classify(status, code));
        Assert.Equal(retry, ChangeAnswers.Retry(status, code));
    }

    private static readonly string[] Nodes = ["node1", "node2", "node3", "node4", "node5"];

    [Fact]
    public void AFault_PlannedForARemovedNode_HitsAVoterInstead_TheSameOneEachTime()
    {
        var targets = new FaultTargets("node3", ["node1", "node3", "node4"], Nodes);

        Assert.Equal("node3", targets.Resolve(ScheduledFault.Primary));
        Assert.Equal("node1", targets.Resolve("node1"));
        Assert.Contains(targets.Resolve("node2"), new[] { "node1", "node3", "node4" });
        Assert.Equal(targets.Resolve("node2"), new FaultTargets("node3", ["node4", "node3", "node1"], Nodes).Resolve("node2"));
        Assert.Equal($"{targets.Resolve("node2")}{(targets.Resolve("node2") == "node3" ? " (primary)" : "")} (for node2, not a voter)",
            targets.Describe("node2", targets.Resolve("node2")));
    }

    [Fact]
    public void AOneWayPartition_NeverCutsANodeFromItself()
    {
        var targets = new FaultTargets("node3", ["node1", "node3", "node4"], Nodes);

        Assert.Equal("node4", targets.Peer(ScheduledFault.Primary, "node3"));
        Assert.Equal("node4", targets.Describe(ScheduledFault.Primary, "node4"));
        Assert.NotEqual("node1", targets.Peer("node2", "node1"));
    }
}
