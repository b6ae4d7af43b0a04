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

        Assert.Equal(new NodeView("node2", Reachable: true, Role.Primary, Term: 3, ReportedPrimary: "node2", report), view);
        Assert.True(view!.ClaimsPrimary);
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
}
