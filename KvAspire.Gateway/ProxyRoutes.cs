using System.Net;
using KvAspire.Security;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace KvAspire.Gateway;

/// <summary>
/// The routes the gateway forwards, to one cluster of every node it watches, load-balanced by
/// <see cref="PrimaryLoadBalancingPolicy"/>: <c>/kv/{**key}</c>, and the members admin API <c>/cluster/members</c>
/// (docs/membership.md), which the gateway lets through only with the admin secret (<c>Admin:Secret</c>, the nodes'
/// own) since a node that has none trusts its loopback callers, which the gateway may be. Built in code because the
/// destinations are the tracker's nodes, which change as members are added and removed.
/// </summary>
public static class ProxyRoutes
{
    private const string ClusterId = "nodes";

    public static IReadOnlyList<RouteConfig> Routes { get; } =
    [
        new RouteConfig { RouteId = "kv", ClusterId = ClusterId, Match = new RouteMatch { Path = "/kv/{**key}" } },
        // A catch-all matches the empty rest too: /cluster/members itself.
        new RouteConfig
        {
            RouteId = "members", ClusterId = ClusterId, Match = new RouteMatch { Path = "/cluster/members/{**rest}" },
            AuthorizationPolicy = ClientAuthentication.AdminPolicy,
        },
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(IReadOnlyList<ClusterNode> nodes, GatewayOptions options) =>
    [
        new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = PrimaryLoadBalancingPolicy.PolicyName,
            Destinations = nodes.ToDictionary(node => node.Name, node => new DestinationConfig { Address = node.Address.ToString() }),
            HttpRequest = Forwarding(options),
        },
    ];

    /// <summary>
    /// HTTP/1.1 exactly, over YARP's pool of kept-alive connections (unbounded, so every client connection has one to
    /// the primary, reused from request to request): a node's client port speaks HTTP/1.1 in cleartext, where YARP's
    /// default, HTTP/2 or lower, can only ever end in HTTP/1.1.
    /// </summary>
    private static ForwarderRequestConfig Forwarding(GatewayOptions options) => new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        // YARP's default is 100 s: a node that stops answering must not hold clients that long.
        ActivityTimeout = options.ForwardActivityTimeout,
    };
}
