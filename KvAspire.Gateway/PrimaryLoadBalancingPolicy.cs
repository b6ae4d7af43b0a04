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
        // Runs for every request: a plain loop, since a LINQ predicate would allocate its closure and enumerator each time.
        if (tracker.Primary is not { } primary)
        {
            return null;
        }
        for (var i = 0; i < availableDestinations.Count; i++)
        {
            if (availableDestinations[i].DestinationId == primary)
            {
                return availableDestinations[i];
            }
        }
        return null;
    }
}
