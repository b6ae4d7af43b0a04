namespace KvAspire.Node.Consensus;

/// <summary>Majority arithmetic, kept pure so it is obviously right.</summary>
public static class Quorum
{
    public static int Majority(int voters) => voters / 2 + 1;

    /// <summary>
    /// The highest index that a majority of voters have durably stored: sort the match indexes
    /// descending and take the majority-th one.
    /// </summary>
    public static long CommitIndex(IEnumerable<long> matchIndexes)
    {
        var sorted = matchIndexes.OrderByDescending(i => i).ToArray();
        return sorted.Length == 0 ? 0 : sorted[Majority(sorted.Length) - 1];
    }
}
