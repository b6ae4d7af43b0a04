using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;

namespace KvAspire.Gateway;

/// <summary>What the gateway last learned about one node, from a poll of its <c>/cluster</c> or a 421: its role and term
/// as the tracker believes them, which a 421 may have updated since the node's last report.</summary>
/// <param name="ReportedPrimary">The primary the node named in its last report, if any.</param>
/// <param name="Report">The node's own <c>/cluster</c> JSON as last reported, passed on as it is by the gateway's
/// <c>/cluster</c>; null when it has not answered.</param>
public sealed record NodeView(string Node, bool Reachable, Role? Role, long Term, string? ReportedPrimary, JsonElement? Report)
{
    // Qualified: inside this record, Role names the property.
    public bool ClaimsPrimary => Reachable && Role == KvAspire.Node.Consensus.Role.Primary;

    public static NodeView Unreachable(string node) => new(node, Reachable: false, Role: null, Term: 0, ReportedPrimary: null, Report: null);

    /// <summary>Reads a node's <c>/cluster</c> JSON; null when it is not a <see cref="ClusterStatus"/>.</summary>
    public static NodeView? FromReport(string node, JsonElement report)
    {
        try
        {
            return report.Deserialize<ClusterStatus>(JsonSerializerOptions.Web) is { } status
                ? new NodeView(node, Reachable: true, status.Role, status.Term, status.Primary, report)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
