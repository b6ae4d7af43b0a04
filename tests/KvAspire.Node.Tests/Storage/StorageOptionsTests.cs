using KvAspire.Node.Cluster;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Storage;

public class StorageOptionsTests
{
    [Theory]
    [InlineData(FsyncPolicy.EverySecond)]
    [InlineData(FsyncPolicy.Never)]
    public void QuorumAcknowledgement_WithAnFsyncPolicyThatAcknowledgesBeforeTheDisk_IsRefusedAtStart(FsyncPolicy fsync)
    {
        var options = new StorageOptions { DataDirectory = "/tmp/x", Fsync = fsync };

        var error = Assert.Throws<OptionsValidationException>(() =>
            SettingsCheck.Validate(options, replication: new ReplicationOptions { Acknowledge = Acknowledge.Quorum }));

        Assert.Contains("Storage:Fsync", error.Message);
        Assert.Contains("Replication:Acknowledge=Leader", error.Message);
    }

    [Theory]
    [InlineData(FsyncPolicy.Always, Acknowledge.Quorum)]
    [InlineData(FsyncPolicy.Always, Acknowledge.Leader)]
    [InlineData(FsyncPolicy.EverySecond, Acknowledge.Leader)]
    [InlineData(FsyncPolicy.Never, Acknowledge.Leader)]
    public void EveryOtherCombination_IsAccepted(FsyncPolicy fsync, Acknowledge acknowledge)
    {
        SettingsCheck.Validate(new StorageOptions { DataDirectory = "/tmp/x", Fsync = fsync }, replication: new ReplicationOptions { Acknowledge = acknowledge });
    }
}
