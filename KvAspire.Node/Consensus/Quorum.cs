namespace KvAspire.Node.Consensus;

/// <summary>Majority arithmetic, kept pure so it is obviously right.</summary>
public static class Quorum
{
    public static int Majority(int voters) => voters / 2 + 1;

    /// <summary>
    /// The highest index that a majority of voters have durably stored: the majority-th highest match index.
    /// Sorts <paramref name="matchIndexes"/> in place, so a caller computing it per acknowledgement allocates nothing.
    /// </summary>
    public static long CommitIndex(Span<long> matchIndexes) => ReachedByMajority(matchIndexes);

    /// <summary>The highest value a majority of <paramref name="values"/> (one per voter) has reached; sorts them in place.</summary>
    public static long ReachedByMajority(Span<long> values)
    {
        if (values.IsEmpty)
            return 0;
        values.Sort();
        return values[values.Length - Majority(values.Length)];
    }
}
