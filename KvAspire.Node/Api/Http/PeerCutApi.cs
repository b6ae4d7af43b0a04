using KvAspire.Node.Cluster;
using KvAspire.Node.Transport;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// <c>POST /admin/cut?to=node2&amp;seconds=10</c>: a one-way partition drill. This node stops sending to the named peer
/// for that long (<see cref="PeerLinkCuts"/>) while still hearing from it; the cut heals by itself. Mapped into the
/// admin group, so it has the same Admin:Enabled gate and admin secret as isolate and crash.
/// </summary>
public static class PeerCutApi
{
    public static RouteGroupBuilder MapPeerCut(this RouteGroupBuilder admin)
    {
        admin.MapPost("/cut", Cut);
        return admin;
    }

    // [FromServices]: on a POST, minimal APIs would otherwise take an unregistered type for the request body.
    private static IResult Cut(string? to, int? seconds, [FromServices] PeerLinkCuts cuts, [FromServices] PeerDirectory peers,
        IOptions<ClusterOptions> cluster, IOptions<AdminOptions> admin)
    {
        if (string.IsNullOrEmpty(to) || !peers.Addresses.ContainsKey(to))
            return ErrorResults.BadRequest("unknown_peer",
                $"'to' must name one of this node's peers: {string.Join(", ", peers.Names.Order(StringComparer.Ordinal))}");
        var max = admin.Value.MaxIsolation;
        if (seconds is not { } s || s <= 0 || TimeSpan.FromSeconds(s) > max)
            return ErrorResults.BadRequest("invalid_duration", $"seconds must be between 1 and {max.TotalSeconds:0} (Admin:MaxIsolation)");
        var until = cuts.Cut(to, TimeSpan.FromSeconds(s));
        return TypedResults.Ok(new AdminAnswer(cluster.Value.NodeId,
            $"dropping every message to {to} for {s} s (its messages still arrive); heals by itself at {until:O}"));
    }
}
