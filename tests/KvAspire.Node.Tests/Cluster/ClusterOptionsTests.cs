using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Cluster;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void Defaults_Are2sHeartbeatAnd5To8sElection()
    {
        var options = new ClusterOptions { NodeId = "node1" };

        SettingsCheck.Validate(options);

        Assert.Equal(TimeSpan.FromSeconds(2), options.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ElectionMin);
        Assert.Equal(TimeSpan.FromSeconds(8), options.ElectionMax);
        var raft = options.ToRaftOptions();
        Assert.Equal(40, raft.HeartbeatTicks);
        Assert.Equal(100, raft.ElectionTicksMin);
        Assert.Equal(160, raft.ElectionTicksMax);
    }

    [Fact]
    public void FastProfile_Is50msHeartbeatAnd300To600msElection()
    {
        var options = new ClusterOptions { NodeId = "node1", Timing = ClusterTiming.Fast };

        var raft = options.ToRaftOptions();

        Assert.Equal(5, raft.HeartbeatTicks);
        Assert.Equal(30, raft.ElectionTicksMin);
        Assert.Equal(60, raft.ElectionTicksMax);
    }

    [Theory]
    [InlineData("Seed", ClusterTiming.Default)]
    [InlineData("default", ClusterTiming.Default)]
    [InlineData("fast", ClusterTiming.Fast)]
    public void Timing_IsReadByName_AndSeedStillMeansDefault(string text, ClusterTiming expected)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Cluster:Timing", (string?)text)]).Build();

        Assert.Equal(expected, configuration.GetSection("Cluster").Get<ClusterOptions>()!.Timing);
    }

    [Theory]
    [InlineData("", ClusterTiming.Default, null, null, "Cluster:NodeId")]
    [InlineData("n", (ClusterTiming)7, null, null, "Cluster:Timing")]
    [InlineData("n", ClusterTiming.Default, 3000, null, "Cluster:ElectionTimeoutMin")]
    [InlineData("n", ClusterTiming.Default, null, 4000, "Cluster:ElectionTimeoutMax")]
    public void Validate_NamesTheBadSetting(string node, ClusterTiming timing, int? minMs, int? maxMs, string setting)
    {
        var options = new ClusterOptions
        {
            NodeId = node,
            Timing = timing,
            ElectionTimeoutMin = minMs is { } min ? TimeSpan.FromMilliseconds(min) : null,
            ElectionTimeoutMax = maxMs is { } max ? TimeSpan.FromMilliseconds(max) : null,
        };

        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(options));

        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void ReadMode_IsReadIndexByDefault_AndLeaseHasATenthOfTheElectionTimeoutAsMargin()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Cluster:ReadMode", (string?)"lease"), KeyValuePair.Create("Cluster:Timing", (string?)"Fast")]).Build();
        var lease = configuration.GetSection("Cluster").Get<ClusterOptions>()!;
        lease.NodeId = "node1";

        SettingsCheck.Validate(lease);

        Assert.Equal(ReadMode.ReadIndex, new ClusterOptions().ToRaftOptions().ReadMode);
        var raft = lease.ToRaftOptions();
        Assert.Equal(ReadMode.Lease, raft.ReadMode);
        Assert.Equal(3, raft.LeaseMarginTicks);
        raft.Validate();
    }

    [Fact]
    public void ReadMode_ThatIsNoMode_CannotBeRead_NamingTheSettingAndTheValue()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Cluster:ReadMode", (string?)"Leese")]).Build();

        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddNodeSettings().BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ClusterOptions>>().Value);

        Assert.Contains("Cluster:ReadMode", error.Message);
        Assert.Contains("Leese", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public void LeaseMargin_UnderATick_OrAsLongAsTheElectionTimeout_IsRejected(int marginMs)
    {
        var options = new ClusterOptions
        {
            NodeId = "node1", Timing = ClusterTiming.Fast, ReadMode = ReadMode.Lease, LeaseMargin = TimeSpan.FromMilliseconds(marginMs),
        };

        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(options));

        Assert.Contains("Cluster:LeaseMargin", error.Message);
    }
}
