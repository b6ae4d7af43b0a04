using System.Globalization;

namespace KvAspire.Chaos.Membership;

/// <summary>How a membership change ended: committed, refused with nothing written, or not known (it may commit later).</summary>
public enum ChangeOutcome
{
    Accepted,
    Refused,
    Unknown,
}

/// <summary>
/// A membership change as it ran: the step that asked for it, when it was first asked and when the last answer came
/// (microseconds on the history's clock), how many times it was asked (refusals that say "later" are asked again within a
/// bound), and the last answer (<c>200</c>, <c>409 learner_not_caught_up</c>, <c>503 timeout</c>, <c>timeout</c>).
/// </summary>
public sealed record ChangeRecord(int Step, MemberChange Change, long Start, long End, int Attempts, ChangeOutcome Outcome, string Answer)
{
    /// <summary>The label on the timeline: +node4 (added), ^node4 (promoted), -node2 (removed).</summary>
    public string Label => Change.Kind switch
    {
        MemberChangeKind.Add => "+",
        MemberChangeKind.Promote => "^",
        _ => "-",
    } + Change.Node;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"m{Step} {Change}: {Outcome.ToString().ToLowerInvariant()} ({Answer}{(Attempts > 1 ? $", {Attempts} attempts" : "")})");
}
