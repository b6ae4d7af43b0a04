using System.Text.Json;
using System.Text.Json.Nodes;

namespace KvAspire.Gateway;

/// <summary>
/// <c>GET /cluster</c>: the gateway's view, built from the tracker's last polls (never a fresh fan-out). Each node's
/// own report, plus the addresses the gateway reaches it at (<c>endpoints</c>: <c>http</c>, and <c>resp</c> as a
/// <c>redis://</c> URL), shown for an unreachable node too, so a reader can talk to any node directly.
/// </summary>
public static class ClusterApi
{
    public sealed record ClusterStatus(string? Primary, long Term, IReadOnlyList<JsonElement> Nodes);

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cluster", (PrimaryTracker tracker) =>
        {
            var (primary, term, nodes) = tracker.Snapshot();
            var addresses = tracker.Nodes.ToDictionary(node => node.Name);
            return TypedResults.Ok(new ClusterStatus(primary, term, [.. nodes.Select(view => Render(view, addresses[view.Node]))]));
        });
        return endpoints;
    }

    private static JsonElement Render(NodeView view, ClusterNode node)
    {
        var rendered = view is { Reachable: true, Report: { } report } && JsonObject.Create(report) is { } reported
            ? reported
            : new JsonObject { ["node"] = view.Node, ["error"] = "unreachable" };
        rendered["endpoints"] = new JsonObject
        {
            ["http"] = node.Address.ToString(),
            ["resp"] = node.Resp is { } resp ? $"redis://{resp.Host}:{resp.Port}" : null,
        };
        return JsonSerializer.SerializeToElement(rendered);
    }
}
