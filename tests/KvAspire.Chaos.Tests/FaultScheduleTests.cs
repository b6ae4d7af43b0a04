using KvAspire.Chaos.Faults;

namespace KvAspire.Chaos.Tests;

public sealed class FaultScheduleTests
{
    private static readonly string[] Nodes = ["node1", "node2", "node3"];
    private static readonly TimeSpan FastElection = TimeSpan.FromMilliseconds(600);

    [Fact]
    public void TheSameSeed_GivesTheSameSchedule()
    {
        var first = FaultSchedule.Plan(42, TimeSpan.FromMinutes(10), Nodes, FastElection);
        var second = FaultSchedule.Plan(42, TimeSpan.FromMinutes(10), Nodes, FastElection);

        Assert.Equal(first, second);
        Assert.Equal(first.Select(f => f.ToString()), second.Select(f => f.ToString()));
    }

    [Fact]
    public void AnotherSeed_GivesAnotherSchedule()
    {
        var first = FaultSchedule.Plan(42, TimeSpan.FromMinutes(10), Nodes, FastElection);
        var second = FaultSchedule.Plan(43, TimeSpan.FromMinutes(10), Nodes, FastElection);

        Assert.NotEqual(first.Select(f => f.ToString()), second.Select(f => f.ToString()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void ATwoMinuteRun_InjectsEveryKindOfFault(int seed)
    {
        var schedule = FaultSchedule.Plan(seed, TimeSpan.FromMinutes(2), Nodes, FastElection);

        Assert.Equal(Enum.GetValues<FaultKind>().Order(), schedule.Select(f => f.Kind).Distinct().Order());
    }

    [Fact]
    public void TheSchedule_FitsTheRun_AndNumbersItsFaultsInOrder()
    {
        var length = TimeSpan.FromMinutes(10);

        var schedule = FaultSchedule.Plan(7, length, Nodes, FastElection);

        Assert.True(FaultSchedule.Warmup + schedule.Aggregate(TimeSpan.Zero, (sum, f) => sum + f.QuietBefore + f.Duration) < length);
        Assert.Equal(Enumerable.Range(1, schedule.Count), schedule.Select(f => f.Number));
    }

    [Fact]
    public void PausesAndPartitions_OutlastTheElectionTimeout_SoTheOthersElect()
    {
        var schedule = FaultSchedule.Plan(5, TimeSpan.FromMinutes(30), Nodes, FastElection);

        Assert.All(schedule.Where(f => f.Kind is FaultKind.Pause or FaultKind.Isolate or FaultKind.OneWayPartition),
            f => Assert.True(f.Duration >= 2 * FastElection, f.ToString()));
    }

    [Fact]
    public void EveryFault_NamesWhatItHits_AndTheSettingItNeeds()
    {
        var schedule = FaultSchedule.Plan(11, TimeSpan.FromMinutes(30), Nodes, FastElection);

        Assert.All(schedule, f =>
        {
            Assert.Contains(f.Target, Nodes.Append(ScheduledFault.Primary).Append(ScheduledFault.All));
            Assert.Equal(f.Kind == FaultKind.OneWayPartition, f.Peer is not null);
            Assert.Equal(f.Kind == FaultKind.SlowDisk, f.FsyncDelay is not null);
            Assert.Equal(f.Kind == FaultKind.FailingDisk, f.FailFsyncAfter is not null);
            Assert.Equal(f.Kind == FaultKind.ClusterRestart, f.Target == ScheduledFault.All);
        });
    }

    [Fact]
    public void ARunTooShortForAnyFault_HasAnEmptySchedule()
    {
        Assert.Empty(FaultSchedule.Plan(42, TimeSpan.FromSeconds(5), Nodes, FastElection));
    }
}
