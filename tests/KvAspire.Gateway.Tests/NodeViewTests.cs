using System.Text.Json;
using KvAspire.Node.Consensus;

namespace KvAspire.Gateway.Tests;

/// <summary>What the tracker takes from a node's <c>/cluster</c> answer.</summary>
public sealed class NodeViewTests
{
    [Fact]
    public void AReport_GivesTheNodesRoleTermAndPrimary()
    {
        var report = JsonSerializer.SerializeToElement(NodeReport.Of("node2", Role.Primary, term: 3, primary: "node2"), JsonSerializerOptions.Web);

        var view = NodeView.FromReport("node2", report);

        Assert.NotNull(view);
        Assert.Equal<(string, bool, Role?, long, string?)>(("node2", true, Role.Primary, 3, "node2"),
            (view.Node, view.Reachable, view.Role, view.Term, view.ReportedPrimary));
        Assert.Equal(report, view.Report);
        Assert.True(view.ClaimsPrimary);
    }

    [Fact]
    public void AReport_GivesTheMembersItFollows_WithoutTheNamesThatAreNoMembersNames()
    {
        var report = Report(voters: ["node1", "node 2", "node3", ""], learners: ["node4", "../admin", "node4", new string('a', 64)], changing: true);

        var view = NodeView.FromReport("node1", report)!;

        Assert.Equal(["node1", "node3", "node4"], view.Members);
        Assert.True(view.MembershipChanging);
    }

    [Fact]
    public void AReport_WithoutAVoter_OrWithMoreMembersThanACluster_GivesNoMembers()
    {
        string[] sixteen = [.. Enumerable.Range(1, 16).Select(i => $"node{i}")];

        Assert.Null(NodeView.FromReport("node1", Report(voters: [], learners: ["node4"]))!.Members);
        Assert.Null(NodeView.FromReport("node1", Report(voters: ["bad name"], learners: []))!.Members);
        Assert.Null(NodeView.FromReport("node1", Report(voters: sixteen, learners: []))!.Members);
    }

    [Theory]
    [InlineData("""{"node":"node2","term":3}""")]
    [InlineData("""{"node":"node2","role":"Primary"}""")]
    [InlineData("""{"node":"node2","role":"Leader","term":3}""")]
    [InlineData("""["node2"]""")]
    public void AnAnswerWithoutAKnownRoleOrATerm_IsNoReport(string json)
    {
        Assert.Null(NodeView.FromReport("node2", JsonDocument.Parse(json).RootElement));
    }

    private static JsonElement Report(string[] voters, string[] learners, bool changing = false) =>
        JsonSerializer.SerializeToElement(
            NodeReport.Of("node1", Role.Primary, term: 1, primary: "node1", voters, learners, changing), JsonSerializerOptions.Web);
}
