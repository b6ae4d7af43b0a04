using KvAspire.Node.Consensus;

namespace KvAspire.Gateway;

/// <summary>
/// Which nodes the tracker watches. The seeds always; besides them, the members a node's configuration names
/// (<see cref="NodeView.Members"/>), at <see cref="GatewayOptions.NodeAddressTemplate"/>'s addresses. While a primary is
/// known only its answers count, since a secondary may be behind on configurations (a removed node may never hear of its
/// removal); while none is, any node's answer may name the members, so a gateway whose seeds are all secondaries still
/// finds a primary it was never told of. A learnt member that the primary's configuration no longer holds is dropped
/// once that configuration has committed (not while a change is under way, which a new primary may yet undo).
/// </summary>
public sealed partial class PrimaryTracker
{
    private readonly NodeTemplate? template;
    private readonly Action<IReadOnlyList<ClusterNode>> nodesChanged;

    // Taken before gate, never under it: each node set is told in the order it was made, outside the lock.
    private readonly Lock publishing = new();

    /// <summary>A node watched: a seed or a learnt member, its last view (guarded by gate) and its poll loop.</summary>
    private sealed class WatchedNode(ClusterNode node, bool seed)
    {
        public ClusterNode Node { get; } = node;
        public bool Seed { get; } = seed;
        public NodeView View { get; set; } = NodeView.Unreachable(node.Name);

        /// <summary>Cancelled when a learnt member is dropped: its poll loop ends.</summary>
        public CancellationTokenSource Dropped { get; } = new();

        public Task Loop { get; set; } = Task.CompletedTask;
    }

    // Called under gate after a poll's answer: watches the members it names that no node watched is, drops those it
    // rules out. Returns whether the node set changed.
    private bool FollowMembers(NodeView answer)
    {
        if (template is null || answer.Members is not { } members)
        {
            return false;
        }
        var fromPrimary = answer.ClaimsPrimary && primary?.Node == answer.Node;
        if (!fromPrimary && primary is not null)
        {
            return false;
        }
        var changed = false;
        var learnt = watched.Values.Count(node => !node.Seed);
        foreach (var member in members.Where(member => !watched.ContainsKey(member)))
        {
            // The names passed MemberRules in NodeView, so the template resolves each; the bound keeps a stream of
            // answers that each name other members from growing the set without end.
            if (learnt >= MemberRules.MaxMembers || template.Resolve(member) is not { } node)
            {
                break;
            }
            var added = new WatchedNode(node, seed: false);
            watched[member] = added;
            learnt++;
            changed = true;
            StartWatching(added);
            Log.MemberLearnt(logger, member, answer.Node, node.Address.ToString());
        }
        if (fromPrimary && !answer.MembershipChanging)
        {
            // The primary itself stays: a primary that removed itself leads until it hands over, and the next primary's
            // configuration then drops it.
            foreach (var gone in watched.Values.Where(node => !node.Seed && node.Node.Name != answer.Node
                                                              && !members.Contains(node.Node.Name)).ToList())
            {
                watched.Remove(gone.Node.Name);
                changed = true;
                // Asynchronously: the callbacks end a poll, which must not run under this lock.
                _ = gone.Dropped.CancelAsync();
                Log.MemberDropped(logger, gone.Node.Name, answer.Node);
            }
        }
        return changed;
    }

    private void PublishNodes()
    {
        lock (publishing)
        {
            nodesChanged(Nodes);
        }
    }
}
