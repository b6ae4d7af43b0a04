using System.Diagnostics;
using KvAspire.Telemetry;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>The root span budget: a burst of a second's worth per name, then one span per interval, each name on its own.</summary>
public sealed class RootSpanBudgetTests
{
    private readonly FakeTimeProvider _time = new();

    private static bool Sampled(RootSpanBudget budget, string name) =>
        budget.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), name, ActivityKind.Server)).Decision
            == SamplingDecision.RecordAndSample;

    private static int SampledOf(RootSpanBudget budget, string name, int spans) =>
        Enumerable.Range(0, spans).Count(_ => Sampled(budget, name));

    [Fact]
    public void AtOneInstant_ASecondsWorthIsSampled_AndNoMore()
    {
        var budget = new RootSpanBudget(20, _time);

        Assert.Equal(20, SampledOf(budget, "kv SET", 100));
    }

    [Fact]
    public void AfterTheBurst_OneSpanIsSampledPerInterval()
    {
        var budget = new RootSpanBudget(20, _time);
        SampledOf(budget, "kv SET", 100);

        _time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(Sampled(budget, "kv SET"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(Sampled(budget, "kv SET"));
        Assert.False(Sampled(budget, "kv SET"));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(20, SampledOf(budget, "kv SET", 100));
    }

    [Fact]
    public void EachNameHasItsOwnBudget()
    {
        var budget = new RootSpanBudget(2, _time);
        SampledOf(budget, "kv SET", 100);

        Assert.True(Sampled(budget, "election"));
        Assert.True(Sampled(budget, "election"));
        Assert.False(Sampled(budget, "election"));
    }

    [Fact]
    public void PastTheBoundOnNames_FurtherNamesShareOneBudget()
    {
        var budget = new RootSpanBudget(1, _time);
        for (var i = 0; i < RootSpanBudget.MaxNames; i++)
            Assert.True(Sampled(budget, $"name-{i}"));

        Assert.True(Sampled(budget, "one more"));
        Assert.False(Sampled(budget, "and another"));
    }

    [Fact]
    public void LessThanOnePerSecond_SamplesOneThenWaits()
    {
        var budget = new RootSpanBudget(0.5, _time);

        Assert.True(Sampled(budget, "kv SET"));
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.False(Sampled(budget, "kv SET"));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(Sampled(budget, "kv SET"));
    }

    [Fact]
    public void ZeroSamplesNothing()
    {
        Assert.Equal(0, SampledOf(new RootSpanBudget(0, _time), "kv SET", 10));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANegativeOrNonFiniteRate_IsRefused(double perSecond)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RootSpanBudget(perSecond, _time));
    }
}
