using System.Text.Json;

namespace KvAspire.Gateway;

/// <summary><c>GET /cluster</c>: the gateway's view, built from the tracker's last polls (never a fresh fan-out).</summary>
public static class ClusterApi
{
    public sealed record ClusterStatus(string? Primary, long Term, IReadOnlyList<JsonElement> Nodes);

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cluster", (PrimaryTracker tracker) =>
        {
            var (primary, term, nodes) = tracker.Snapshot();
            return TypedResults.Ok(new ClusterStatus(primary, term, [.. nodes.Select(Render)]));
        });
        return endpoints;
    }

    private static JsonElement Render(NodeView view) =>
        view is { Reachable: true, Report: { } report }
            ? report
            : JsonSerializer.SerializeToElement(new { node = view.Node, error = "unreachable" });
}
