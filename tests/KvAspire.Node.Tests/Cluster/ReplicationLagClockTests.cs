using KvAspire.Node.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>A primary's lag clock stays small however long a secondary is away, and still tells its lag
/// within the resolution it states: never less than the truth, never a resolution more.</summary>
public sealed class ReplicationLagClockTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void MillionsOfAppends_ToASecondaryThatNeverAcknowledges_KeepTheSamplesBounded_AndTheLagWithinTheResolution()
    {
        const long appends = 3_000_000;
        var clock = new ReplicationLagClock(_time);
        clock.BecamePrimary();
        var start = _time.GetUtcNow();

        for (long index = 1; index <= appends; index++)
        {
            clock.Appended(index); // entry i is appended at start + (i - 1) ms
            clock.ForgetThrough(0); // what the host does after each Ready while the secondary stays down
            Assert.True(clock.Slots <= ReplicationLagClock.Capacity, $"{clock.Slots} slots after {index} appends");
            if (index % 500_000 == 0)
                AssertLagWithinResolution(clock, start, index);
            _time.Advance(Step);
        }

        var backlog = TimeSpan.FromTicks(Step.Ticks * appends);
        Assert.True(clock.Resolution <= 4 * backlog / ReplicationLagClock.Capacity, $"resolution {clock.Resolution} for a {backlog} backlog");
    }

    [Fact]
    public void AfterAQuietSpell_ANewEntrysLagCountsFromWhenItWasAppended()
    {
        var clock = new ReplicationLagClock(_time);
        clock.BecamePrimary();
        clock.Appended(1);
        _time.Advance(TimeSpan.FromSeconds(100));
        clock.Appended(2);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(3, clock.LagSeconds(matchIndex: 1, lastIndex: 2), precision: 1);
        Assert.Equal(103, clock.LagSeconds(matchIndex: 0, lastIndex: 2), precision: 1);
        Assert.Equal(0, clock.LagSeconds(matchIndex: 2, lastIndex: 2));
    }

    [Fact]
    public void EntriesInheritedFromAnEarlierPrimary_CountFromTheElection()
    {
        var clock = new ReplicationLagClock(_time);
        clock.BecamePrimary();
        _time.Advance(TimeSpan.FromSeconds(7));
        clock.Appended(11); // 1..10 came from the earlier primary
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(9, clock.LagSeconds(matchIndex: 4, lastIndex: 11), precision: 1);
        Assert.Equal(2, clock.LagSeconds(matchIndex: 10, lastIndex: 11), precision: 1);
    }

    [Fact]
    public void ForgettingWhatEverySecondaryHas_KeepsTheLagOfTheOnesStillBehind()
    {
        var clock = new ReplicationLagClock(_time);
        clock.BecamePrimary();
        for (long index = 1; index <= 10; index++)
        {
            clock.Appended(index);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        clock.ForgetThrough(4);

        Assert.Equal(5, clock.LagSeconds(matchIndex: 5, lastIndex: 10), precision: 1);
        Assert.Equal(6, clock.LagSeconds(matchIndex: 4, lastIndex: 10), precision: 1);
    }

    private void AssertLagWithinResolution(ReplicationLagClock clock, DateTimeOffset start, long lastIndex)
    {
        var resolution = clock.Resolution.TotalSeconds;
        foreach (var match in new[] { 0, lastIndex / 3, lastIndex / 2, lastIndex - 1_000, lastIndex - 2 })
        {
            var appended = start + Step * match; // entry match + 1
            var truth = (_time.GetUtcNow() - appended).TotalSeconds;
            var told = clock.LagSeconds(match, lastIndex);
            Assert.True(told >= truth - 1e-9 && told < truth + resolution,
                $"lag of entry {match + 1} told as {told} s, truly {truth} s, resolution {resolution} s");
        }
    }
}
