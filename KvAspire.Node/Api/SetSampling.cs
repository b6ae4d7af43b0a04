using System.Collections.Immutable;
using System.Runtime.InteropServices;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api;

/// <summary>
/// Random members of a set for SPOP and SRANDMEMBER, chosen on the primary with its own chance (an entry applies with
/// a carried seed only, see <see cref="CommandOp.SetPopWithSeed"/>).
/// </summary>
public static class SetSampling
{
    /// <summary>Redis' rules: a positive <paramref name="wanted"/> (or any, when <paramref name="distinct"/>) is that many
    /// distinct members, at most all; a negative one is that many with repeats.</summary>
    public static List<string> Choose(ImmutableSortedSet<string> members, long wanted, bool distinct)
    {
        if (members.IsEmpty || wanted == 0)
            return [];
        if (wanted < 0 && !distinct)
            return Enumerable.Range(0, (int)Math.Min(-wanted, int.MaxValue)).Select(_ => members[Random.Shared.Next(members.Count)]).ToList();
        var chosen = SetDraw.Distinct(members, (int)Math.Min(Math.Abs(wanted), members.Count), Random.Shared.Next);
        // Floyd's positions come out in a biased order; SPOP with a count answers them in random order.
        Random.Shared.Shuffle(CollectionsMarshal.AsSpan(chosen));
        return chosen;
    }
}
