using KvAspire.Node.Cluster;
using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Storage;

/// <summary><c>Storage:</c> settings.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where this node keeps its durable state; each node needs its own.</summary>
    public string DataDirectory { get; set; } = "";

    public FsyncPolicy Fsync { get; set; } = FsyncPolicy.Always;

    /// <summary>A log segment file is closed and a new one started past this size.</summary>
    [SettingRange("Storage:SegmentBytes", typeof(long), "4096", "4294967296")]
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A snapshot of the store is taken after this many entries have been applied since the last one.</summary>
    [SettingRange("Storage:SnapshotEntries", 1, double.MaxValue, Allowed = "at least 1")]
    public long SnapshotEntries { get; set; } = 100_000;

    /// <summary>... or once this many bytes of entries have been applied since the last one, whichever comes first.</summary>
    [SettingRange("Storage:SnapshotBytes", 1, double.MaxValue, Allowed = "at least 1")]
    public long SnapshotBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Entries kept in the log behind a snapshot, so a secondary that lags briefly catches up
    /// from the log rather than being sent the whole snapshot (etcd's SnapshotCatchUpEntries).</summary>
    [SettingRange("Storage:CatchUpEntries", 0, double.MaxValue, Allowed = "0 or more")]
    public long CatchUpEntries { get; set; } = 10_000;

    /// <summary>... and at most this many bytes of them, whichever keeps less (see <see cref="CatchUpWindow"/>).</summary>
    [SettingRange("Storage:CatchUpBytes", 0, double.MaxValue, Allowed = "0 or more")]
    public long CatchUpBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A slow or failing disk for drills; off unless set.</summary>
    [ValidateObjectMembers]
    public StorageFaultInjection FaultInjection { get; set; } = new();
}

/// <summary>The ranges of <see cref="StorageOptions"/>' fields and of its fault injection, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

/// <summary>A data directory, and an fsync policy that can keep the promise of <see cref="ReplicationOptions.Acknowledge"/>.</summary>
internal sealed class StorageRules(IOptions<ReplicationOptions> replication) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            result.AddError(BadSetting.Message("Storage:DataDirectory", "must be set to a folder this node owns"));
        if (!Enum.IsDefined(options.Fsync))
            result.AddError(BadSetting.Message("Storage:Fsync", $"is '{options.Fsync}'; allowed: Always, EverySecond, Never"));
        // A secondary acknowledges what it has written; only Always has forced it to disk first. Quorum would
        // promise that a failover loses nothing, and a machine crash of a majority could lose it.
        else if (options.Fsync != FsyncPolicy.Always && replication.ValueIfValid()?.Acknowledge == Acknowledge.Quorum)
            result.AddError(BadSetting.Message("Storage:Fsync",
                $"is '{options.Fsync}', which acknowledges entries before they are on disk, so Replication:Acknowledge=Quorum cannot keep its promise; use Storage:Fsync=Always, or set Replication:Acknowledge=Primary to accept losing the last writes"));
        return result.Build();
    }
}
