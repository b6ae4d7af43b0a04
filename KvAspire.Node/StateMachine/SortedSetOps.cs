namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on sorted sets. A sorted set left without members is deleted, as in Redis.</summary>
internal static class SortedSetOps
{
    /// <summary><see cref="CommandOp.SortedSetPop"/>'s ends.</summary>
    public const byte Lowest = 0, Highest = 1;

    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.SortedSetAdd => Add(c.Key, CommandArgs.ReadInt(c.Args[0]), (ZAddFlags)CommandArgs.ReadByte(c.Args[1]), c.Args, context),
        CommandOp.SortedSetRemove => Remove(c.Key, c.Args, context),
        CommandOp.SortedSetPop => Pop(c.Key, CommandArgs.ReadByte(c.Args[0]), CommandArgs.ReadLong(c.Args[1]), context),
        CommandOp.SortedSetRemoveRange => RemoveRange(c.Key, SortedSetRange.FromArgs(c.Args, 0), context),
        _ => throw new InvalidDataException($"{c.Op} is not a sorted set op"),
    };

    /// <summary>Redis' <c>zsetAdd</c> for each pair in turn; with INCR (one pair) the answer is the new score, or nil if nothing changed.</summary>
    private static ApplyResult Add(string key, int max, ZAddFlags flags, IReadOnlyList<ReadOnlyMemory<byte>> args, ApplyContext context)
    {
        if (!context.TryLive<SortedSetValue>(key, out var old, out var wrongType))
            return wrongType;
        var scores = old?.Scores ?? SortedSetValue.NoScores;
        var order = old?.Order ?? SortedSetValue.NoOrder;
        int added = 0, updated = 0;
        double? answered = null;
        for (var i = 2; i + 1 < args.Count; i += 2)
        {
            var score = CommandArgs.ReadDouble(args[i]);
            var member = CommandArgs.ReadText(args[i + 1]);
            if (scores.TryGetValue(member, out var current))
            {
                if ((flags & ZAddFlags.IfAbsent) != 0)
                    continue;
                if ((flags & ZAddFlags.Increment) != 0)
                    score += current;
                // Only INCR can reach NaN (inf + -inf); it carries one pair, so nothing has changed yet.
                if (double.IsNaN(score))
                    return new ApplyResult(old is not null, ReplyErrors.ScoreNaN);
                if ((flags & ZAddFlags.IfLess) != 0 && score >= current || (flags & ZAddFlags.IfGreater) != 0 && score <= current)
                    continue;
                answered = score;
                if (score == current)
                    continue;
                scores = scores.SetItem(member, score);
                order = order.Remove(new ScoredMember(current, member)).Add(new ScoredMember(score, member));
                updated++;
            }
            else if ((flags & ZAddFlags.IfPresent) == 0)
            {
                scores = scores.Add(member, score);
                order = order.Add(new ScoredMember(score, member));
                added++;
                answered = score;
            }
        }
        if (scores.Count > max)
            return new ApplyResult(old is not null, ReplyErrors.TooManyElements(max));
        if (added + updated > 0)
            context.Put(key, new SortedSetValue(scores, order, old?.DeadlineMs ?? 0, context.Revision));
        var reply = (flags & ZAddFlags.Increment) != 0
            ? answered is { } result ? new CommandReply.Bulk(ScoreText.Utf8(result)) : CommandReply.Null
            : CommandReply.Of((flags & ZAddFlags.Changed) != 0 ? added + updated : added);
        return new ApplyResult(old is not null, reply);
    }

    private static ApplyResult Remove(string key, IReadOnlyList<ReadOnlyMemory<byte>> members, ApplyContext context)
    {
        if (!context.TryLive<SortedSetValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Zero);
        var removed = new List<ScoredMember>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in members)
        {
            var member = CommandArgs.ReadText(arg);
            if (seen.Add(member) && old.Scores.TryGetValue(member, out var score))
                removed.Add(new ScoredMember(score, member));
        }
        Take(key, old, removed, context);
        return new ApplyResult(true, CommandReply.Of(removed.Count));
    }

    /// <param name="count">-1 when the client gave none: one member. Either way Redis answers a flat array of members and scores.</param>
    private static ApplyResult Pop(string key, byte end, long count, ApplyContext context)
    {
        if (!context.TryLive<SortedSetValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.EmptyArray);
        var n = (int)Math.Min(count < 0 ? 1 : count, old.Count);
        var popped = Enumerable.Range(0, n).Select(i => old.Order[end == Lowest ? i : old.Count - 1 - i]).ToList();
        Take(key, old, popped, context);
        return new ApplyResult(true, SortedSetReads.Reply(popped, withScores: true));
    }

    private static ApplyResult RemoveRange(string key, SortedSetRange range, ApplyContext context)
    {
        if (!context.TryLive<SortedSetValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Zero);
        var (from, count) = range.Span(old);
        Take(key, old, Enumerable.Range(from, count).Select(i => old.Order[i]).ToList(), context);
        return new ApplyResult(true, CommandReply.Of(count));
    }

    /// <summary>Removes <paramref name="removed"/> (members the set holds, each once), deleting the key when none are left.</summary>
    private static void Take(string key, SortedSetValue old, List<ScoredMember> removed, ApplyContext context)
    {
        if (removed.Count == old.Count)
            context.Remove(key);
        else if (removed.Count > 0)
            context.Put(key, new SortedSetValue(old.Scores.RemoveRange(removed.Select(m => m.Member!)), old.Order.Except(removed),
                old.DeadlineMs, context.Revision));
    }
}
