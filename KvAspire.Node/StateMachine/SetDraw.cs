using System.Collections.Immutable;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// Distinct members of a sorted set drawn by position (O(log n) each), so a draw costs what it returns, not the size of
/// the set. The chance is passed in: the primary draws with its own, an applied entry with its carried seed.
/// </summary>
internal static class SetDraw
{
    /// <summary>Floyd's algorithm: <paramref name="size"/> distinct members, every subset as likely as any other, in
    /// <paramref name="size"/> calls of <paramref name="next"/> (a position below its argument).</summary>
    public static List<string> Distinct(ImmutableSortedSet<string> members, int size, Func<int, int> next)
    {
        size = Math.Min(size, members.Count);
        // Kept in the order drawn (not a HashSet's), so the same chance gives the same list on every node.
        var positions = new List<int>(size);
        var seen = new HashSet<int>(size);
        for (var last = members.Count - size; last < members.Count; last++)
        {
            var position = next(last + 1);
            if (!seen.Add(position))
            {
                position = last;
                seen.Add(last);
            }
            positions.Add(position);
        }
        return positions.ConvertAll(position => members[position]);
    }
}

/// <summary>
/// SplitMix64: a chance that depends on its seed alone (not on the runtime's <see cref="Random"/>, whose sequence for a
/// seed is not a published contract), so every node, on any version, draws alike from a seed carried in an entry.
/// </summary>
internal sealed class SeededChance(long seed)
{
    private ulong _state = (ulong)seed;

    /// <summary>A number in [0, <paramref name="bound"/>).</summary>
    public int Next(int bound)
    {
        var z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        // Lemire's multiply-high maps 64 random bits onto the bound without a modulo's bias toward small numbers.
        return (int)Math.BigMul(z, (ulong)bound, out _);
    }
}
