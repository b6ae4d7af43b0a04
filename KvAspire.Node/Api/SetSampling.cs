using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace KvAspire.Node.Api;

/// <summary>
/// Random members of a set for SPOP and SRANDMEMBER, chosen on the primary (the state machine never draws
/// chance). Members are drawn by position (O(log n) each in the sorted set), so a draw costs what it returns,
/// not the size of the set.
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
        // Floyd's algorithm: `size` distinct positions, every subset as likely as any other, in `size` draws.
        var size = (int)Math.Min(Math.Abs(wanted), members.Count);
        var positions = new HashSet<int>(size);
        for (var last = members.Count - size; last < members.Count; last++)
        {
            var position = Random.Shared.Next(last + 1);
            positions.Add(positions.Contains(position) ? last : position);
        }
        var chosen = positions.Select(position => members[position]).ToList();
        // Floyd's positions come out in a biased order; SPOP with a count answers them in random order.
        Random.Shared.Shuffle(CollectionsMarshal.AsSpan(chosen));
        return chosen;
    }
}
