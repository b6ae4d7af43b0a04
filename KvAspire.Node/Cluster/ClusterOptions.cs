using KvAspire.Node.Consensus;
using KvAspire.Settings;
using Microsoft.Extensions.Options;

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
    [SettingRange("Cluster:MaxQueuedInputs", 16, 10_000_000)]
    public int MaxQueuedInputs { get; set; } = 100_000;

    /// <summary>Bytes of values the host loop may have queued from clients at once, and of entries from peers (one input
    /// larger than this still passes alone).</summary>
    [SettingRange("Cluster:MaxQueuedBytes", typeof(long), "1048576", "68719476736", Allowed = "between 1 MiB and 64 GiB")]
    public long MaxQueuedBytes { get; set; } = 256L * 1024 * 1024;

    public TimeSpan Heartbeat => HeartbeatInterval ?? (IsFast ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromSeconds(2));
    public TimeSpan ElectionMin => ElectionTimeoutMin ?? (IsFast ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(5));
    public TimeSpan ElectionMax => ElectionTimeoutMax ?? (IsFast ? TimeSpan.FromMilliseconds(600) : TimeSpan.FromSeconds(8));
    public TimeSpan Margin => LeaseMargin ?? TimeSpan.FromTicks(Math.Max(2 * Tick.Ticks, ElectionMin.Ticks / 10));
    public TimeSpan Tick => TickInterval ?? (IsFast ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromMilliseconds(50));

    private bool IsFast => Timing == ClusterTiming.Fast;

    public RaftOptions ToRaftOptions() => new()
    {
        HeartbeatTicks = Ticks(Heartbeat),
        ElectionTicksMin = Ticks(ElectionMin),
        ElectionTicksMax = Ticks(ElectionMax),
        ReadMode = ReadMode,
        LeaseMarginTicks = Ticks(Margin),
    };

    internal int Ticks(TimeSpan interval) => (int)Math.Max(1, Math.Round(interval / Tick));
}

/// <summary>The ranges of <see cref="ClusterOptions"/>' own fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;

/// <summary>What no attribute states: a node name and a cluster id, enum values that have names, timings that nest as the
/// profile and the explicit intervals make them, and the members' names.</summary>
internal sealed class ClusterRules : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (string.IsNullOrWhiteSpace(options.NodeId))
            result.AddError(BadSetting.Message("Cluster:NodeId", "must name this node (e.g. node1)"));
        if (string.IsNullOrWhiteSpace(options.Id) || options.Id.Length > 64 || !options.Id.All(c => c is > ' ' and <= '~'))
            result.AddError(BadSetting.Message("Cluster:Id", $"is '{options.Id}'; it must be 1-64 printable ASCII characters without spaces"));
        if (!Enum.IsDefined(options.Timing))
            result.AddError(BadSetting.Message("Cluster:Timing", $"is '{options.Timing}'; allowed: Default, Fast"));
        if (!Enum.IsDefined(options.ReadMode))
            result.AddError(BadSetting.Message("Cluster:ReadMode", $"is '{options.ReadMode}'; allowed: ReadIndex, Lease"));
        CheckTimings(options, result);
        CheckMembers(options, result);
        return result.Build();
    }

    // Each interval is checked against the one below it, so the first bad one is the one named.
    private static void CheckTimings(ClusterOptions options, ValidateOptionsResultBuilder result)
    {
        var tick = options.Tick;
        if (tick < TimeSpan.FromMilliseconds(1) || tick > TimeSpan.FromSeconds(1))
            result.AddError(BadSetting.Message("Cluster:TickInterval", $"is '{tick}'; it must be between 1 ms and 1 s"));
        else if (options.Heartbeat < tick)
            result.AddError(BadSetting.Message("Cluster:HeartbeatInterval", $"is '{options.Heartbeat}'; it must be at least the tick interval ({tick})"));
        else if (options.ElectionMin < 2 * options.Heartbeat)
            result.AddError(BadSetting.Message("Cluster:ElectionTimeoutMin",
                $"is '{options.ElectionMin}'; it must be at least twice the heartbeat interval ({options.Heartbeat})"));
        else if (options.ElectionMax <= options.ElectionMin)
            result.AddError(BadSetting.Message("Cluster:ElectionTimeoutMax",
                $"is '{options.ElectionMax}'; it must be greater than Cluster:ElectionTimeoutMin ({options.ElectionMin})"));
        else if (options.ReadMode == ReadMode.Lease && (options.Margin < tick || options.Ticks(options.Margin) >= options.Ticks(options.ElectionMin)))
            result.AddError(BadSetting.Message("Cluster:LeaseMargin",
                $"is '{options.Margin}'; it must be at least the tick interval ({tick}) and less than Cluster:ElectionTimeoutMin ({options.ElectionMin})"));
    }

    private static void CheckMembers(ClusterOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.Members.FirstOrDefault(m => !MemberRules.IsValidId(m)) is { } member)
            result.AddError(BadSetting.Message("Cluster:Members",
                $"names '{member}'; a member's name is 1-{MemberRules.MaxIdLength} letters, digits, '-', '_' or '.'"));
        if (options.Members.Distinct().Count() > MemberRules.MaxMembers)
            result.AddError(BadSetting.Message("Cluster:Members", $"names more than {MemberRules.MaxMembers} members"));
        if (options.PeerAddressTemplate is { } template && MemberAddressTemplate.Problem(template, needsPort: false) is { } problem)
            result.AddError(BadSetting.Message("Cluster:PeerAddressTemplate", problem));
    }
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
