using KvAspire.Settings;

namespace KvAspire.Node.Storage;

/// <summary>
/// <c>Storage:FaultInjection:</c> a slow or failing disk for drills (the chaos suite), off unless set. Every fsync of
/// the replication log waits <see cref="FsyncDelay"/> first; once <see cref="FailFsyncAfter"/> fsyncs have succeeded,
/// the next one fails as a dying disk's would, and the node stops with <see cref="NodeExitCodes.DiskFailed"/>.
/// </summary>
public sealed class StorageFaultInjection
{
    [SettingRange("Storage:FaultInjection:FsyncDelay", typeof(TimeSpan), "00:00:00", "00:00:10", Allowed = "between 0 and 10 s")]
    public TimeSpan FsyncDelay { get; set; }

    [SettingRange("Storage:FaultInjection:FailFsyncAfter", 0, int.MaxValue, Allowed = "0 or more (or unset: fsyncs never fail)")]
    public int? FailFsyncAfter { get; set; }

    public bool IsEnabled => FsyncDelay > TimeSpan.Zero || FailFsyncAfter is not null;
}
