using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>
/// <c>Cluster:</c> settings. Timings default to 2 s heartbeat, 5–8 s election timeout;
/// <c>Cluster:Timing=Fast</c> selects 50 ms / 300–600 ms for tests and demos. Any explicit interval
/// overrides the profile.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>This node's name; must match the name peers know it by.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The founding members, all voters, named alike on every node: the membership until the first change
    /// (docs/membership.md). Empty: this node and every node service discovery names (<c>services:{name}:peer</c>). A node
    /// started to join a running cluster as a learner is not among them.</summary>
    public string[] Members { get; set; } = [];

    /// <summary>The peer address of a member that service discovery does not name, with <c>{id}</c> standing for its name:
    /// in Kubernetes, <c>http://{id}.kv-peers:8081</c> reaches every pod of the StatefulSet, present or future.</summary>
    public string? PeerAddressTemplate { get; set; }

    /// <summary>Names the group; peers of another cluster id are refused even with the same password.</summary>
    public string Id { get; set; } = "kvaspire";
    public ClusterTiming Timing { get; set; } = ClusterTiming.Default;
    public TimeSpan? HeartbeatInterval { get; set; }
    public TimeSpan? ElectionTimeoutMin { get; set; }
    public TimeSpan? ElectionTimeoutMax { get; set; }
    public TimeSpan? TickInterval { get; set; }

    /// <summary><c>ReadIndex</c>: every linearizable read waits for a majority to confirm this primary (no clock assumption).
    /// <c>Lease</c>: the primary answers at once while it holds a lease, which assumes no node's clock runs faster than
    /// another's by more than <see cref="LeaseMargin"/> over one election timeout (docs/consensus.md). Set it alike on every node:
    /// a node running ReadIndex makes no promise, so a primary counts it towards no lease.</summary>
    public ReadMode ReadMode { get; set; } = ReadMode.ReadIndex;

    /// <summary>Under <c>Lease</c>: how much shorter than <see cref="ElectionTimeoutMin"/> the lease is. Default: a tenth of it,
    /// at least two ticks.</summary>
    public TimeSpan? LeaseMargin { get; set; }

    /// <summary>Client requests the host loop may have queued at once (beyond it, clients are told to retry), and as many
    /// peer messages again in their own lane (beyond it, they are dropped and resent).</summary>
    public int MaxQueuedInputs { get; set; } = 100_000;

    /// <summary>Bytes of values the host loop may have queued from clients at once, and of entries from peers (one input
    /// larger than this still passes alone).</summary>
    public long MaxQueuedBytes { get; set; } = 256L * 1024 * 1024;

    public TimeSpan Heartbeat => HeartbeatInterval ?? (IsFast ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromSeconds(2));
    public TimeSpan ElectionMin => ElectionTimeoutMin ?? (IsFast ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(5));
    public TimeSpan ElectionMax => ElectionTimeoutMax ?? (IsFast ? TimeSpan.FromMilliseconds(600) : TimeSpan.FromSeconds(8));
    public TimeSpan Margin => LeaseMargin ?? TimeSpan.FromTicks(Math.Max(2 * Tick.Ticks, ElectionMin.Ticks / 10));
    public TimeSpan Tick => TickInterval ?? (IsFast ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromMilliseconds(50));

    private bool IsFast => Timing == ClusterTiming.Fast;

    /// <summary>Checks every setting and throws naming the first bad one and its allowed range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeId))
            throw new OptionsValidationError("Cluster:NodeId", "must name this node (e.g. node1)");
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > 64 || !Id.All(c => c is > ' ' and <= '~'))
            throw new OptionsValidationError("Cluster:Id", $"is '{Id}'; it must be 1-64 printable ASCII characters without spaces");
        if (!Enum.IsDefined(Timing))
            throw new OptionsValidationError("Cluster:Timing", $"is '{Timing}'; allowed: Default, Fast");
        if (Tick < TimeSpan.FromMilliseconds(1) || Tick > TimeSpan.FromSeconds(1))
            throw new OptionsValidationError("Cluster:TickInterval", "must be between 1 ms and 1 s");
        if (Heartbeat < Tick)
            throw new OptionsValidationError("Cluster:HeartbeatInterval", $"must be at least the tick interval ({Tick})");
        if (ElectionMin < 2 * Heartbeat)
            throw new OptionsValidationError("Cluster:ElectionTimeoutMin", $"must be at least twice the heartbeat interval ({Heartbeat})");
        if (ElectionMax <= ElectionMin)
            throw new OptionsValidationError("Cluster:ElectionTimeoutMax", $"must be greater than Cluster:ElectionTimeoutMin ({ElectionMin})");
        if (!Enum.IsDefined(ReadMode))
            throw new OptionsValidationError("Cluster:ReadMode", $"is '{ReadMode}'; allowed: ReadIndex, Lease");
        if (ReadMode == ReadMode.Lease && (Margin < Tick || Ticks(Margin) >= Ticks(ElectionMin)))
            throw new OptionsValidationError("Cluster:LeaseMargin",
                $"must be at least the tick interval ({Tick}) and less than Cluster:ElectionTimeoutMin ({ElectionMin})");
        if (Members.FirstOrDefault(m => !MemberRules.IsValidId(m)) is { } member)
            throw new OptionsValidationError("Cluster:Members", $"names '{member}'; a member's name is 1-{MemberRules.MaxIdLength} letters, digits, '-', '_' or '.'");
        if (Members.Distinct().Count() > MemberRules.MaxMembers)
            throw new OptionsValidationError("Cluster:Members", $"names more than {MemberRules.MaxMembers} members");
        if (PeerAddressTemplate is { } template
            && (!template.Contains("{id}", StringComparison.Ordinal) || !Uri.TryCreate(template.Replace("{id}", "node", StringComparison.Ordinal), UriKind.Absolute, out _)))
            throw new OptionsValidationError("Cluster:PeerAddressTemplate", $"is '{template}'; it must be an absolute URI containing {{id}}");
        if (MaxQueuedInputs is < 16 or > 10_000_000)
            throw new OptionsValidationError("Cluster:MaxQueuedInputs", "must be between 16 and 10000000");
        if (MaxQueuedBytes is < 1024 * 1024 or > 64L * 1024 * 1024 * 1024)
            throw new OptionsValidationError("Cluster:MaxQueuedBytes", "must be between 1 MiB and 64 GiB");
    }

    public RaftOptions ToRaftOptions() => new()
    {
        HeartbeatTicks = Ticks(Heartbeat),
        ElectionTicksMin = Ticks(ElectionMin),
        ElectionTicksMax = Ticks(ElectionMax),
        ReadMode = ReadMode,
        LeaseMarginTicks = Ticks(Margin),
    };

    private int Ticks(TimeSpan interval) => (int)Math.Max(1, Math.Round(interval / Tick));
}

/// <summary>The heartbeat and election timeouts as a set (<c>Cluster:Timing</c>).</summary>
public enum ClusterTiming
{
    /// <summary>2 s heartbeat, 5–8 s election timeout: for machines that may pause (a loaded laptop, a shared CI runner).</summary>
    Default,
    /// <summary>50 ms heartbeat, 300–600 ms election timeout: failovers in well under a second, for tests and demos.</summary>
    Fast,
    /// <summary>The name <see cref="Default"/> had in the project's first design; still accepted.</summary>
    Seed = Default,
}

/// <summary>A configuration value outside its allowed range; the message names the setting.</summary>
public sealed class OptionsValidationError(string setting, string problem)
    : Exception($"Configuration '{setting}' {problem}.");
