using KvAspire.Node.Cluster;

namespace KvAspire.Node.Storage;

/// <summary>
/// <c>Storage:FaultInjection:</c> a slow or failing disk for drills (the chaos suite), off unless set. Every fsync of
/// the replication log waits <see cref="FsyncDelay"/> first; once <see cref="FailFsyncAfter"/> fsyncs have succeeded,
/// the next one fails as a dying disk's would, and the node stops with <see cref="NodeExitCodes.DiskFailed"/>.
/// </summary>
public sealed class StorageFaultInjection
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    public TimeSpan FsyncDelay { get; set; }

    public int? FailFsyncAfter { get; set; }

    public bool IsEnabled => FsyncDelay > TimeSpan.Zero || FailFsyncAfter is not null;

    public void Validate()
    {
        if (FsyncDelay < TimeSpan.Zero || FsyncDelay > MaxDelay)
            throw new OptionsValidationError("Storage:FaultInjection:FsyncDelay", $"must be between 0 and {MaxDelay.TotalSeconds:0} s");
        if (FailFsyncAfter < 0)
            throw new OptionsValidationError("Storage:FaultInjection:FailFsyncAfter", "must not be negative (or unset: fsyncs never fail)");
    }
}
