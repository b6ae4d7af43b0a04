using KvAspire.Node.Cluster;

namespace KvAspire.Node.Storage;

/// <summary><c>Storage:</c> settings.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Where this node keeps its durable state; each node needs its own.</summary>
    public string DataDirectory { get; set; } = "";

    public FsyncPolicy Fsync { get; set; } = FsyncPolicy.Always;

    /// <summary>A log segment file is closed and a new one started past this size.</summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A snapshot of the store is taken after this many entries have been applied since the last one.</summary>
    public long SnapshotEntries { get; set; } = 100_000;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new OptionsValidationError("Storage:DataDirectory", "must be set to a folder this node owns");
        if (!Enum.IsDefined(Fsync))
            throw new OptionsValidationError("Storage:Fsync", $"is '{Fsync}'; allowed: Always, EverySecond, Never");
        if (SnapshotEntries < 1)
            throw new OptionsValidationError("Storage:SnapshotEntries", "must be at least 1");
        if (SegmentBytes is < 4096 or > 1L << 32)
            throw new OptionsValidationError("Storage:SegmentBytes", "must be between 4096 and 4294967296");
    }
}
