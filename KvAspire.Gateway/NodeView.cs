using System.Text.Json;

namespace KvAspire.Gateway;

/// <summary>What the gateway last learned about one node, from a poll of its <c>/cluster</c> or a 421.</summary>
/// <param name="Report">The node's own <c>/cluster</c> JSON as last reported; null when it has not answered.</param>
public sealed record NodeView(string Node, bool Reachable, string? Role, long Term, JsonElement? Report)
{
    public const string PrimaryRole = "Primary";
    public const string SecondaryRole = "Secondary";

    public bool ClaimsPrimary => Reachable && Role == PrimaryRole;

    public static NodeView Unreachable(string node) => new(node, Reachable: false, Role: null, Term: 0, Report: null);

    /// <summary>Reads a node's <c>/cluster</c> JSON (<c>role</c>, <c>term</c>); null when it is not that shape.</summary>
    public static NodeView? FromReport(string node, JsonElement report)
    {
        if (report.ValueKind != JsonValueKind.Object
            || !report.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
            || !report.TryGetProperty("term", out var term) || !term.TryGetInt64(out var termValue))
        {
            return null;
        }
        return new NodeView(node, Reachable: true, role.GetString(), termValue, report);
    }
}
