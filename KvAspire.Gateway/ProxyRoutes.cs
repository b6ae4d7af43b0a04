using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace KvAspire.Gateway;

/// <summary>
/// The routes the gateway forwards, to one cluster of every node it watches, load-balanced by
/// <see cref="PrimaryLoadBalancingPolicy"/>: <c>/kv/{**key}</c>. Built in code because the destinations are the
/// tracker's nodes, which change as members are added and removed.
/// </summary>
public static class ProxyRoutes
{
    private const string ClusterId = "nodes";

    public static IReadOnlyList<RouteConfig> Routes { get; } =
    [
        new RouteConfig { RouteId = "kv", ClusterId = ClusterId, Match = new RouteMatch { Path = "/kv/{**key}" } },
    ];

    public static IReadOnlyList<ClusterConfig> Clusters(IReadOnlyList<ClusterNode> nodes, GatewayOptions options) =>
    [
        new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = PrimaryLoadBalancingPolicy.PolicyName,
            Destinations = nodes.ToDictionary(node => node.Name, node => new DestinationConfig { Address = node.Address.ToString() }),
            // YARP's default is 100 s: a node that stops answering must not hold clients that long.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = options.ForwardActivityTimeout },
        },
    ];
}
