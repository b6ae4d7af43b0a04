namespace KvAspire.Chaos.Membership;

/// <summary>
/// The membership track's steps, drawn from the run's seed alone (its own stream, so a seed's fault schedule is the same
/// with and without spares). Steps follow each other after a few seconds of quiet, from the end of the warm-up until
/// <see cref="EndMargin"/> before the run's end, so the last change has settled before the final heal (the driver starts
/// no step past that point either, however long the steps before took).
/// </summary>
public static class MembershipPlan
{
    /// <summary>No step starts this close to the run's end: a change, its catch-up and promotion take a few seconds, and a
    /// learner left behind only delays the final heal.</summary>
    public static readonly TimeSpan EndMargin = TimeSpan.FromSeconds(20);

    /// <summary>What the planner allows for a step: adding, catching up and promoting, or removing, under faults.</summary>
    private static readonly TimeSpan StepAllowance = TimeSpan.FromSeconds(6);

    /// <summary>Mixed into the seed so this stream is not the fault schedule's.</summary>
    private const int Stream = 0x4d656d62;

    /// <param name="spares">Spare nodes beside the three founding members; none: no steps.</param>
    public static IReadOnlyList<MembershipStep> Plan(int seed, TimeSpan runLength, int spares)
    {
        var steps = new List<MembershipStep>();
        if (spares == 0)
            return steps;
        var random = new Random(seed ^ Stream);
        var planned = Faults.FaultSchedule.Warmup;
        while (true)
        {
            var quiet = TimeSpan.FromSeconds(Math.Round(3 + 7 * random.NextDouble(), 1));
            var step = new MembershipStep(steps.Count + 1, quiet, random.Next(2) == 0 ? MembershipIntent.Grow : MembershipIntent.Shrink,
                RemovePrimary: random.Next(3) == 0, Pick: random.Next(1000));
            planned += quiet + StepAllowance;
            if (planned > runLength - EndMargin)
                return steps;
            steps.Add(step);
        }
    }
}
