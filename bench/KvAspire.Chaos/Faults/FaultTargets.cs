namespace KvAspire.Chaos.Faults;

/// <summary>
/// The node a scheduled fault hits, among the voters of the configuration in force when it starts. The schedule names
/// founding members, which the membership track may have removed: such a fault hits a voter instead (the same one for the
/// same configuration), so every fault still falls on a node whose loss the cluster must survive.
/// </summary>
/// <param name="nodes">Every declared node, in order: a removed node's place picks its stand-in.</param>
public sealed class FaultTargets(string primary, IReadOnlyList<string> voters, IReadOnlyList<string> nodes)
{
    private readonly List<string> _voters = [.. voters.Order(StringComparer.Ordinal)];
    private readonly List<string> _nodes = [.. nodes];

    /// <param name="planned"><see cref="ScheduledFault.Primary"/>, <see cref="ScheduledFault.All"/> or a node's name.</param>
    public string Resolve(string planned) =>
        planned == ScheduledFault.Primary ? primary
        : planned == ScheduledFault.All || _voters.Contains(planned) ? planned
        : _voters[Math.Max(0, _nodes.IndexOf(planned)) % _voters.Count];

    /// <summary>The receiving end of a one-way partition: never the sending end itself (the next voter then).</summary>
    public string Peer(string planned, string from)
    {
        var to = Resolve(planned);
        return to != from ? to : _voters[(_voters.IndexOf(from) + 1) % _voters.Count];
    }

    /// <summary>The node as the report names it: "(primary)" when it is, "(for node2)" when it stands in for a removed one.</summary>
    public string Describe(string planned, string resolved) =>
        resolved + (resolved == primary ? " (primary)" : "")
        + (planned != ScheduledFault.Primary && planned != ScheduledFault.All && !_voters.Contains(planned) ? $" (for {planned}, not a voter)" : "");
}
