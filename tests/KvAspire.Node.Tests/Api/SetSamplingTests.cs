using System.Collections.Immutable;
using KvAspire.Node.Api;

namespace KvAspire.Node.Tests.Api;

public sealed class SetSamplingTests
{
    private static readonly ImmutableSortedSet<string> Members = ImmutableSortedSet.Create(StringComparer.Ordinal, "a", "b", "c", "d");

    [Theory]
    [InlineData(2, false, 2)]
    [InlineData(9, false, 4)]
    [InlineData(9, true, 4)]
    [InlineData(0, true, 0)]
    public void PositiveCounts_ChooseDistinctMembers_AtMostAll(long wanted, bool distinct, int expected)
    {
        var chosen = SetSampling.Choose(Members, wanted, distinct);

        Assert.Equal(expected, chosen.Count);
        Assert.Equal(expected, chosen.Distinct().Count());
        Assert.All(chosen, m => Assert.Contains(m, Members));
    }

    [Fact]
    public void ANegativeCount_ChoosesThatManyWithRepeats()
    {
        var chosen = SetSampling.Choose(Members, -10, distinct: false);

        Assert.Equal(10, chosen.Count);
        Assert.All(chosen, m => Assert.Contains(m, Members));
    }

    [Fact]
    public void EveryMember_IsChosenSometimes()
    {
        var seen = Enumerable.Range(0, 400).SelectMany(_ => SetSampling.Choose(Members, 1, distinct: true)).ToHashSet();

        Assert.Equal(Members.Count, seen.Count);
    }

    [Fact]
    public void DistinctDraws_ChooseEveryPairOfMembers_AboutEquallyOften()
    {
        const int draws = 6000;

        var pairs = Enumerable.Range(0, draws).Select(_ => string.Concat(SetSampling.Choose(Members, 2, distinct: true).Order()))
            .CountBy(pair => pair).ToDictionary();

        // Six pairs, 1,000 draws each expected (a standard deviation of about 29): ten deviations either side.
        Assert.Equal(6, pairs.Count);
        Assert.All(pairs.Values, count => Assert.InRange(count, 700, 1300));
    }
}
