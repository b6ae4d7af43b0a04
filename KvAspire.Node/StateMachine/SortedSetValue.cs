using System.Collections.Immutable;

namespace KvAspire.Node.StateMachine;

/// <summary>A sorted set's member with its score.</summary>
public readonly record struct ScoredMember(double Score, string? Member)
{
    /// <summary>Sorts after every member of <paramref name="score"/>: where the members with a higher score begin.</summary>
    public static ScoredMember After(double score) => new(score, null);

    /// <summary>Sorts before every member of <paramref name="score"/> ("" is the smallest member there is).</summary>
    public static ScoredMember Before(double score) => new(score, "");
}

/// <summary>
/// Redis' order of a sorted set: by score, then by member byte by byte. Members are UTF-8, whose byte order is the order
/// of code points, which UTF-16's ordinal order is not (a surrogate pair sorts below U+E000 there), so chars are compared
/// as code points. A null member is the probe <see cref="ScoredMember.After"/>.
/// </summary>
public sealed class ScoreOrder : IComparer<ScoredMember>
{
    public static readonly ScoreOrder Instance = new();

    public int Compare(ScoredMember x, ScoredMember y)
    {
        var byScore = x.Score.CompareTo(y.Score);
        if (byScore != 0 || ReferenceEquals(x.Member, y.Member))
            return byScore;
        return x.Member is null ? 1 : y.Member is null ? -1 : Members(x.Member, y.Member);
    }

    /// <summary>Two members in UTF-8 byte order.</summary>
    public static int Members(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
                return CodePointOrder(x[i]) - CodePointOrder(y[i]);
        }
        return x.Length - y.Length;
    }

    // Surrogates (U+D800-DFFF, the halves of code points above U+FFFF) move above U+E000-FFFF, which move down into their place.
    private static int CodePointOrder(char c) => c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
}

/// <summary>
/// A sorted set: each member's score, and the members in <see cref="ScoreOrder"/>, which finds a member's rank, the
/// member at a rank and the bounds of a score range in O(log n). Both are immutable trees, as a hash's fields are
/// (see <see cref="HashValue"/>): a change copies one path of each, and a snapshot being written keeps the old ones.
/// </summary>
public sealed class SortedSetValue(ImmutableSortedDictionary<string, double> scores, ImmutableSortedSet<ScoredMember> order,
    long deadlineMs, long revision) : StoredValue(revision)
{
    public static readonly ImmutableSortedDictionary<string, double> NoScores = ImmutableSortedDictionary.Create<string, double>(StringComparer.Ordinal);
    public static readonly ImmutableSortedSet<ScoredMember> NoOrder = ImmutableSortedSet.Create<ScoredMember>(ScoreOrder.Instance);

    public ImmutableSortedDictionary<string, double> Scores { get; } = scores;
    public ImmutableSortedSet<ScoredMember> Order { get; } = order;
    public int Count => Scores.Count;
    public override ValueKind Kind => ValueKind.ZSet;
    public override long DeadlineMs { get; } = deadlineMs;
    public override StoredValue With(long deadlineMs, long revision) => new SortedSetValue(Scores, Order, deadlineMs, revision);

    /// <summary>The index of the first member at or after <paramref name="probe"/>.</summary>
    public int IndexOf(ScoredMember probe)
    {
        var index = Order.IndexOf(probe);
        return index >= 0 ? index : ~index;
    }

    /// <summary>The index of the first member for which <paramref name="reached"/> holds, which must hold for every member after it.</summary>
    public int FirstWhere(Func<string, bool> reached)
    {
        int low = 0, high = Order.Count;
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            if (reached(Order[middle].Member!))
                high = middle;
            else
                low = middle + 1;
        }
        return low;
    }
}
