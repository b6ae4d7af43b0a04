using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Cluster;

/// <summary>When a write is acknowledged to the client.</summary>
public enum Acknowledge
{
    /// <summary>After a majority has the entry on disk and it is applied: no acknowledged write is lost by a failover.</summary>
    Quorum,
    /// <summary>After the primary's own durable append; replication is asynchronous, so the
    /// last acknowledged writes can be lost if the primary dies before a secondary has them.</summary>
    Primary,
    /// <summary>The name <see cref="Primary"/> had first; still accepted wherever a mode is typed (the setting, <c>?ack=</c>,
    /// <c>X-Kv-Acknowledge</c>). Declared after it, so that the mode prints as Primary.</summary>
    Leader = Primary,
}

/// <summary><c>Replication:</c> settings.</summary>
public sealed class ReplicationOptions
{
    public const string Section = "Replication";

    public Acknowledge Acknowledge { get; set; } = Acknowledge.Quorum;

    /// <summary>How long a client write waits for its acknowledgement before the client is told it timed out.</summary>
    [SettingRange("Replication:WriteTimeout", typeof(TimeSpan), "00:00:00", "00:10:00", MinimumIsExclusive = true,
        Allowed = "more than 0 and at most 10 minutes")]
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an HTTP write's <c>Idempotency-Key</c> is remembered: a retry within it is answered, not applied again.</summary>
    [SettingRange("Replication:IdempotencyWindow", typeof(TimeSpan), "00:00:01", "1.00:00:00", Allowed = "between 1 second and 24 hours")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The ranges of <see cref="ReplicationOptions"/>' fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class ReplicationOptionsValidator : IValidateOptions<ReplicationOptions>;
