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

    /// <summary>... or once this many bytes of entries have been applied since the last one, whichever comes first.</summary>
    public long SnapshotBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Entries kept in the log behind a snapshot, so a secondary that lags briefly catches up
    /// from the log rather than being sent the whole snapshot (etcd's SnapshotCatchUpEntries).</summary>
    public long CatchUpEntries { get; set; } = 10_000;

    /// <summary>... and at most this many bytes of them, whichever keeps less (see <see cref="CatchUpWindow"/>).</summary>
    public long CatchUpBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A slow or failing disk for drills; off unless set.</summary>
    public StorageFaultInjection FaultInjection { get; set; } = new();

    /// <param name="replication">The acknowledgement mode, which the fsync policy must be able to keep.</param>
    public void Validate(ReplicationOptions replication)
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new OptionsValidationError("Storage:DataDirectory", "must be set to a folder this node owns");
        if (!Enum.IsDefined(Fsync))
            throw new OptionsValidationError("Storage:Fsync", $"is '{Fsync}'; allowed: Always, EverySecond, Never");
        // A secondary acknowledges what it has written; only Always has forced it to disk first. Quorum would
        // promise that a failover loses nothing, and a machine crash of a majority could lose it.
        if (Fsync != FsyncPolicy.Always && replication.Acknowledge == Acknowledge.Quorum)
            throw new OptionsValidationError("Storage:Fsync",
                $"is '{Fsync}', which acknowledges entries before they are on disk, so Replication:Acknowledge=Quorum cannot keep its promise; use Storage:Fsync=Always, or set Replication:Acknowledge=Leader to accept losing the last writes");
        if (SnapshotEntries < 1)
            throw new OptionsValidationError("Storage:SnapshotEntries", "must be at least 1");
        if (SnapshotBytes < 1)
            throw new OptionsValidationError("Storage:SnapshotBytes", "must be at least 1");
        if (CatchUpEntries < 0)
            throw new OptionsValidationError("Storage:CatchUpEntries", "must not be negative");
        if (CatchUpBytes < 0)
            throw new OptionsValidationError("Storage:CatchUpBytes", "must not be negative");
        if (SegmentBytes is < 4096 or > 1L << 32)
            throw new OptionsValidationError("Storage:SegmentBytes", "must be between 4096 and 4294967296");
        FaultInjection.Validate();
    }
}
