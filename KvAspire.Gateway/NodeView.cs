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

    /// <summary>The voters and learners of the configuration the node follows, as it last reported them, without any name
    /// that breaks <see cref="MemberRules"/>; null when the report gives no configuration to act on (no voter, more
    /// members than a cluster may have), so that it can neither add nor drop a node.</summary>
    public IReadOnlyList<string>? Members { get; init; }

    /// <summary>The node reported a membership change under way (its configuration has not committed).</summary>
    public bool MembershipChanging { get; init; }

    public static NodeView Unreachable(string node) => new(node, Reachable: false, Role: null, Term: 0, ReportedPrimary: null, Report: null);

    /// <summary>Reads a node's <c>/cluster</c> JSON; null when it is not a <see cref="ClusterStatus"/>.</summary>
    public static NodeView? FromReport(string node, JsonElement report)
    {
        try
        {
            return report.Deserialize<ClusterStatus>(JsonSerializerOptions.Web) is { } status
                ? new NodeView(node, Reachable: true, status.Role, status.Term, status.Primary, report)
                {
                    Members = MembersOf(status),
                    MembershipChanging = status.MembershipChanging,
                }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The lists come from the wire, where a null list or name is possible whatever the contract says.
    private static IReadOnlyList<string>? MembersOf(ClusterStatus status)
    {
        var voters = (status.Voters ?? []).Where(MemberRules.IsValidId).ToList();
        var members = voters.Concat((status.Learners ?? []).Where(MemberRules.IsValidId)).Distinct(StringComparer.Ordinal).ToList();
        return voters.Count > 0 && members.Count <= MemberRules.MaxMembers ? members : null;
    }
}
