using System.Globalization;

namespace KvAspire.Chaos.Membership;

/// <summary>What a step of the membership track would rather do; <see cref="MemberDecision"/> turns it into a change that
/// fits the configuration it finds.</summary>
public enum MembershipIntent
{
    /// <summary>Add a node that is not a member as a learner, then promote it once it has caught up.</summary>
    Grow,
    /// <summary>Remove a voter: the primary when the step says so, else a secondary.</summary>
    Shrink,
}

/// <summary>
/// One planned step of the membership track, which runs beside the fault schedule: it starts <see cref="QuietBefore"/>
/// after the previous step ended, whatever fault is under way. <see cref="Pick"/> chooses among the candidates the
/// decision finds (the secondary to remove, the node to add), so a seed gives the same choices for the same
/// configurations.
/// </summary>
public sealed record MembershipStep(int Number, TimeSpan QuietBefore, MembershipIntent Intent, bool RemovePrimary, int Pick)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"m{Number,-3} after {QuietBefore.TotalSeconds,4:0.0} s: {Intent}{(Intent == MembershipIntent.Shrink ? RemovePrimary ? " (the primary)" : " (a secondary)" : "")}");
}
