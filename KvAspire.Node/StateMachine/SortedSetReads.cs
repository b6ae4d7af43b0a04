namespace KvAspire.Node.StateMachine;

/// <summary>Answers the <see cref="ReadOp"/>s on a sorted set, with scores printed as Redis prints them (<see cref="ScoreText"/>).</summary>
internal static class SortedSetReads
{
    public static CommandReply Evaluate(ReadOp op, SortedSetValue set, IReadOnlyList<ReadOnlyMemory<byte>> args) => op switch
    {
        ReadOp.ZScore => Score(set, args[0]),
        ReadOp.ZMScore => new CommandReply.Array(args.Select(member => Score(set, member)).ToList()),
        ReadOp.ZCard => CommandReply.Of(set.Count),
        ReadOp.ZCount => CommandReply.Of(SortedSetRange.FromArgs(args, 0).Span(set).Count),
        ReadOp.ZRank or ReadOp.ZRevRank => Rank(set, CommandArgs.ReadText(args[0]), op == ReadOp.ZRevRank),
        ReadOp.ZRange => Range(set, SortedSetRange.FromArgs(args, 0)),
        _ => ReplyErrors.WrongType,
    };

    /// <summary>What a read of a key that does not exist answers: nil for one member, an empty collection, or zero.</summary>
    public static CommandReply Missing(ReadOp op, int argCount) => op switch
    {
        ReadOp.ZScore or ReadOp.ZRank or ReadOp.ZRevRank => CommandReply.Null,
        ReadOp.ZMScore => new CommandReply.Array(Enumerable.Repeat(CommandReply.Null, argCount).ToList()),
        ReadOp.ZRange => CommandReply.EmptyArray,
        _ => CommandReply.Zero,
    };

    /// <summary>Members, each followed by its score when <paramref name="withScores"/> (RESP2's flat WITHSCORES array).</summary>
    public static CommandReply Reply(IEnumerable<ScoredMember> members, bool withScores) => new CommandReply.Array(members
        .SelectMany(m => withScores ? [Bulk(m.Member!), new CommandReply.Bulk(ScoreText.Utf8(m.Score))] : new[] { Bulk(m.Member!) })
        .ToList());

    private static CommandReply Range(SortedSetValue set, SortedSetRange range) => Reply(range.Select(set), range.WithScores);

    private static CommandReply Bulk(string member) => new CommandReply.Bulk(CommandArgs.Text(member));

    private static CommandReply Score(SortedSetValue set, ReadOnlyMemory<byte> member) =>
        set.Scores.TryGetValue(CommandArgs.ReadText(member), out var score) ? new CommandReply.Bulk(ScoreText.Utf8(score)) : CommandReply.Null;

    private static CommandReply Rank(SortedSetValue set, string member, bool reverse)
    {
        if (!set.Scores.TryGetValue(member, out var score))
            return CommandReply.Null;
        var rank = set.Order.IndexOf(new ScoredMember(score, member));
        return CommandReply.Of(reverse ? set.Count - 1 - rank : rank);
    }
}
