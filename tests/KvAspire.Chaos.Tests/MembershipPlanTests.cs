using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Membership;

namespace KvAspire.Chaos.Tests;

public sealed class MembershipPlanTests
{
    [Fact]
    public void TheSameSeed_GivesTheSamePlan_AndAnotherSeedAnother()
    {
        var first = MembershipPlan.Plan(42, TimeSpan.FromMinutes(10), spares: 2);

        Assert.Equal(first, MembershipPlan.Plan(42, TimeSpan.FromMinutes(10), spares: 2));
        Assert.NotEqual(first, MembershipPlan.Plan(43, TimeSpan.FromMinutes(10), spares: 2));
    }

    [Fact]
    public void ThePlan_EndsWellBeforeTheRun_SoTheLastChangeSettlesBeforeTheFinalHeal()
    {
        var length = TimeSpan.FromMinutes(4);

        var plan = MembershipPlan.Plan(7, length, spares: 2);

        Assert.True(FaultSchedule.Warmup + plan.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.QuietBefore) < length - MembershipPlan.EndMargin);
        Assert.Equal(Enumerable.Range(1, plan.Count), plan.Select(s => s.Number));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void ATwoMinuteRun_PlansBothGrowingAndShrinking(int seed)
    {
        var plan = MembershipPlan.Plan(seed, TimeSpan.FromMinutes(2), spares: 2);

        Assert.Contains(plan, s => s.Intent == MembershipIntent.Grow);
        Assert.Contains(plan, s => s.Intent == MembershipIntent.Shrink);
    }

    [Fact]
    public void WithoutSpares_ThereIsNoTrack()
    {
        Assert.Empty(MembershipPlan.Plan(42, TimeSpan.FromMinutes(10), spares: 0));
    }
}
