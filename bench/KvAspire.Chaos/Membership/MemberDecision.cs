namespace KvAspire.Chaos.Membership;

public enum MemberChangeKind
{
    Add,
    Promote,
    Remove,
}

/// <summary>A change to ask the primary for: a kind and the node it is about.</summary>
public sealed record MemberChange(MemberChangeKind Kind, string Node)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} {Node}";
}

/// <summary>The configuration the primary reports, as a decision needs it.</summary>
public sealed record Configuration(string Primary, IReadOnlyList<string> Voters, IReadOnlyList<string> Learners, bool Changing);

/// <summary>
/// Which change a step makes, from the configuration the primary reports; pure, so its guarantees are tested alone.
/// <list type="bullet">
/// <item>Nothing while a change is under way: only a committed configuration is sure to be the next primary's too (one
/// under way may be overwritten), and counting on it could take the voters below <see cref="MinVoters"/>.</item>
/// <item>A learner left by an earlier step (its promotion refused or of unknown outcome) is promoted first: a learner
/// copies the log but adds nothing to the quorum.</item>
/// <item>A voter is removed only while more than <see cref="MinVoters"/> vote, so one more node down to another fault
/// (kill, pause, partition, a failing disk) still leaves a majority; otherwise the step grows.</item>
/// <item>A node is added only while some declared node is not a member; otherwise the step shrinks.</item>
/// </list>
/// </summary>
public static class MemberDecision
{
    /// <summary>The founding members' number: the other faults take down one node at a time and must leave a majority.</summary>
    public const int MinVoters = 3;

    /// <param name="nodes">Every declared node, founding members and spares.</param>
    /// <returns>The change to ask for, or null when none fits (a change under way, or nothing to add or remove).</returns>
    public static MemberChange? Decide(MembershipStep step, Configuration configuration, IReadOnlyList<string> nodes)
    {
        if (configuration.Changing)
            return null;
        if (configuration.Learners.Count > 0)
            return new MemberChange(MemberChangeKind.Promote, configuration.Learners.Order(StringComparer.Ordinal).First());
        var outside = nodes.Where(n => !configuration.Voters.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var canShrink = configuration.Voters.Count > MinVoters;
        var canGrow = outside.Count > 0;
        if (canShrink && (step.Intent == MembershipIntent.Shrink || !canGrow))
        {
            var secondaries = configuration.Voters.Where(v => v != configuration.Primary).Order(StringComparer.Ordinal).ToList();
            return new MemberChange(MemberChangeKind.Remove, step.RemovePrimary ? configuration.Primary : secondaries[step.Pick % secondaries.Count]);
        }
        return canGrow ? new MemberChange(MemberChangeKind.Add, outside[step.Pick % outside.Count]) : null;
    }
}
