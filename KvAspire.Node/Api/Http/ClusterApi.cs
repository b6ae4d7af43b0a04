using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api.Http;

/// <summary><c>GET /cluster</c>: this node's view — role, term, primary, indexes, per-peer lag, process id.</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", (RaftHost host) => TypedResults.Ok(host.Status));
        return app;
    }
}
