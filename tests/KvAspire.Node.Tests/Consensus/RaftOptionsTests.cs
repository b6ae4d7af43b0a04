using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

public class RaftOptionsTests
{
    private static readonly RaftOptions Smallest = new()
    {
        HeartbeatTicks = 1, ElectionTicksMin = 2, ElectionTicksMax = 3,
        MaxEntriesPerReplicate = 1, MaxBytesPerReplicate = 1, MaxInflight = 1,
    };

    [Fact]
    public void SmallestAllowedValues_AreValid() => Smallest.Validate();

    [Theory]
    [InlineData(nameof(RaftOptions.HeartbeatTicks))]
    [InlineData(nameof(RaftOptions.ElectionTicksMin))]
    [InlineData(nameof(RaftOptions.ElectionTicksMax))]
    [InlineData(nameof(RaftOptions.MaxEntriesPerReplicate))]
    [InlineData(nameof(RaftOptions.MaxBytesPerReplicate))]
    [InlineData(nameof(RaftOptions.MaxInflight))]
    public void OneBelowTheSmallestAllowedValue_IsRejected_NamingTheSetting(string setting)
    {
        var options = setting switch
        {
            nameof(RaftOptions.HeartbeatTicks) => Smallest with { HeartbeatTicks = 0, ElectionTicksMin = 1, ElectionTicksMax = 2 },
            nameof(RaftOptions.ElectionTicksMin) => Smallest with { ElectionTicksMin = 1 },
            nameof(RaftOptions.ElectionTicksMax) => Smallest with { ElectionTicksMax = 2 },
            nameof(RaftOptions.MaxEntriesPerReplicate) => Smallest with { MaxEntriesPerReplicate = 0 },
            nameof(RaftOptions.MaxBytesPerReplicate) => Smallest with { MaxBytesPerReplicate = 0 },
            _ => Smallest with { MaxInflight = 0 },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, error.ParamName);
    }

    [Theory]
    [InlineData(false, 2, nameof(RaftOptions.ReadMode))]
    [InlineData(true, 0, nameof(RaftOptions.LeaseMarginTicks))]
    [InlineData(true, 10, nameof(RaftOptions.LeaseMarginTicks))]
    public void LeaseMode_WithoutCheckQuorum_OrWithAMarginOutsideTheElectionTimeout_IsRejected(bool checkQuorum, int margin, string setting)
    {
        var options = new RaftOptions { ReadMode = ReadMode.Lease, CheckQuorum = checkQuorum, LeaseMarginTicks = margin };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, error.ParamName);
    }
}
