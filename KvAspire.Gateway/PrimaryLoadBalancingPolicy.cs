using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace KvAspire.Gateway;

/// <summary>
/// Picks the tracked primary, or nobody. Unlike YARP's built-in policies it never falls back to
/// another destination: a secondary must not receive a command.
/// </summary>
public sealed class PrimaryLoadBalancingPolicy(PrimaryTracker tracker) : ILoadBalancingPolicy
{
    public const string PolicyName = "Primary";

    public string Name => PolicyName;

    public DestinationState? PickDestination(
        HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var primary = tracker.Primary;
        return primary is null
            ? null
            : availableDestinations.FirstOrDefault(destination => destination.DestinationId == primary);
    }
}
