using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Simulation;

internal sealed partial class Simulator
{
    /// <summary>
    /// An operator asks <paramref name="node"/> (usually a primary) to change members: add a node that is not one as a
    /// learner, promote a learner, or remove a member (the primary itself included). Voters are removed only while more
    /// than three remain, so one wiped voter never leaves a cluster without a majority that may vote. The core refuses
    /// what it must (a change under way, a learner not caught up); the checker watches what it accepts.
    /// </summary>
    private void ChangeMembership(SimNode? node)
    {
        if (node?.Raft is not { } raft)
            return;
        var membership = raft.Membership;
        var outsiders = _nodes.Where(n => !membership.Contains(n.Id)).ToList();
        var removable = membership.Members.Where(m => membership.IsLearner(m) || membership.Voters.Count > 3).ToList();
        var change = _random.Next(3) switch
        {
            0 when outsiders.Count > 0 => new MembershipChange(MembershipChangeKind.AddLearner, outsiders[_random.Next(outsiders.Count)].Id),
            1 when membership.Learners.Count > 0 => new MembershipChange(MembershipChangeKind.Promote, membership.Learners[_random.Next(membership.Learners.Count)]),
            2 when removable.Count > 0 => new MembershipChange(MembershipChangeKind.Remove, removable[_random.Next(removable.Count)]),
            _ => (MembershipChange?)null,
        };
        if (change is not { } asked)
            return;
        var result = raft.ChangeMembership(asked);
        Trace($"members {asked.Kind} {asked.Id} on {node.Id}: {result.Status}{(result.Accepted ? $" at {result.Index}, now {raft.Membership}" : "")}");
        if (result.Accepted)
            Stats.MembershipChanges++;
        ProcessReady(node);
    }

    /// <summary>A founding member, or one the configuration some node persisted holds (up or down, since a node that is
    /// down still votes when it comes back): a spare never added is nobody's concern.</summary>
    /// <remarks>A node's persisted log holds every entry from index 1 (a snapshot stands for its committed prefix).</remarks>
    private bool IsMemberAnywhere(SimNode node) =>
        node.Founder || _nodes.Any(n => SafetyChecker.NewestMembership(n.Log, n.Log.Count)?.Contains(node.Id) == true);

    /// <summary>The nodes a stable primary's configuration holds: the ones recovery waits for.</summary>
    private IEnumerable<SimNode> MembersOf(Raft primary) => _nodes.Where(n => primary.Membership.Contains(n.Id));
}
