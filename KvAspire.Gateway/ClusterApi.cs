using System.Text.Json;
using System.Text.Json.Nodes;
using KvAspire.Contracts;

namespace KvAspire.Gateway;

/// <summary>
/// <c>GET /cluster</c>: the gateway's view (<see cref="GatewayStatus"/>), built from the tracker's last polls (never a
/// fresh fan-out). A node's addresses are shown for an unreachable node too, so a reader can talk to any node directly.
/// </summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cluster", (PrimaryTracker tracker) =>
        {
            var (primary, term, nodes) = tracker.Snapshot();
            return TypedResults.Ok(new GatewayStatus(primary, term, [.. nodes.Select(node => Render(node.View, node.Node))]));
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
