using KvAspire.Node.Cluster;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        Assert.Contains("Replication:Acknowledge=Primary", error.Message);
    }

    [Theory]
    [InlineData(FsyncPolicy.Always, Acknowledge.Quorum)]
    [InlineData(FsyncPolicy.Always, Acknowledge.Primary)]
    [InlineData(FsyncPolicy.EverySecond, Acknowledge.Primary)]
    [InlineData(FsyncPolicy.Never, Acknowledge.Primary)]
    public void EveryOtherCombination_IsAccepted(FsyncPolicy fsync, Acknowledge acknowledge)
    {
        SettingsCheck.Validate(new StorageOptions { DataDirectory = "/tmp/x", Fsync = fsync }, replication: new ReplicationOptions { Acknowledge = acknowledge });
    }

    [Fact]
    public void Leader_ThePrimaryModesFirstName_IsStillReadAsPrimary()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Replication:Acknowledge", (string?)"Leader")]).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddNodeSettings().BuildServiceProvider();

        var replication = services.GetRequiredService<IOptions<ReplicationOptions>>().Value;

        Assert.Equal(Acknowledge.Primary, replication.Acknowledge);
        Assert.Equal("Primary", replication.Acknowledge.ToString());
    }
}
