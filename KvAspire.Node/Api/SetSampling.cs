using System.Collections.Immutable;

namespace KvAspire.Node.Api;

/// <summary>
/// Random members of a set for SPOP and SRANDMEMBER, chosen on the primary (the state machine never draws
/// chance). One pass over the set, holding only the members chosen, so a pop from a large set stays cheap.
/// </summary>
public static class SetSampling
{
    /// <summary>Redis' rules: a positive <paramref name="wanted"/> (or any, when <paramref name="distinct"/>) is that many
    /// distinct members, at most all; a negative one is that many with repeats.</summary>
    public static List<string> Choose(ImmutableHashSet<string> members, long wanted, bool distinct)
    {
        if (members.IsEmpty || wanted == 0)
            return [];
        if (wanted < 0 && !distinct)
        {
            var all = members.ToArray();
            return Enumerable.Range(0, (int)Math.Min(-wanted, int.MaxValue)).Select(_ => all[Random.Shared.Next(all.Length)]).ToList();
        }
        // Reservoir sampling (Vitter's algorithm R): every member ends up chosen with the same chance.
        var size = (int)Math.Min(Math.Abs(wanted), members.Count);
        var chosen = new List<string>(size);
        var seen = 0;
        foreach (var member in members)
        {
            if (chosen.Count < size)
                chosen.Add(member);
            else
            {
                var slot = Random.Shared.Next(seen + 1);
                if (slot < size)
                    chosen[slot] = member;
            }
            seen++;
        }
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chosen));
        return chosen;
    }
}
