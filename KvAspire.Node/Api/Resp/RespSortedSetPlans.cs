using System.Numerics;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespPlan;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Commands on sorted sets. Every argument is checked here, in Redis' order and with its words, so a write's entry carries
/// parsed scores and ranges; only what depends on the stored set (WRONGTYPE, a NaN sum, the element bound) is decided
/// when the entry applies. ZPOPMIN and ZPOPMAX are deterministic, so they are replicated as commands, not effects.
/// </summary>
internal static class RespSortedSetPlans
{
    public static RespPlan? Plan(RespCommandId id, RespPlanArgs a) => id switch
    {
        RespCommandId.ZAdd => Add(a),
        RespCommandId.ZIncrBy => new Write("ZINCRBY", AddEntry(a, ZAddFlags.Increment, 2)),
        RespCommandId.ZRem => new Write("ZREM", KvCommand.Of(CommandOp.SortedSetRemove, a.Key(1), a.NowMs, [.. a.Members(2)])),
        RespCommandId.ZPopMin => Pop("ZPOPMIN", SortedSetOps.Lowest, a),
        RespCommandId.ZPopMax => Pop("ZPOPMAX", SortedSetOps.Highest, a),
        RespCommandId.ZRemRangeByRank => RemoveRange("ZREMRANGEBYRANK", a, RangeBy.Rank),
        RespCommandId.ZRemRangeByScore => RemoveRange("ZREMRANGEBYSCORE", a, RangeBy.Score),
        RespCommandId.ZRemRangeByLex => RemoveRange("ZREMRANGEBYLEX", a, RangeBy.Lex),
        RespCommandId.ZScore => new Read("ZSCORE", ReadOp.ZScore, a.Key(1), [a.Member(2)]),
        RespCommandId.ZMScore => new Read("ZMSCORE", ReadOp.ZMScore, a.Key(1), [.. a.Members(2)]),
        RespCommandId.ZCard => new Read("ZCARD", ReadOp.ZCard, a.Key(1), []),
        RespCommandId.ZCount => new Read("ZCOUNT", ReadOp.ZCount, a.Key(1), Bounds(a, RangeBy.Score, 2, 3).ToArgs()),
        RespCommandId.ZLexCount => new Read("ZLEXCOUNT", ReadOp.ZCount, a.Key(1), Bounds(a, RangeBy.Lex, 2, 3).ToArgs()),
        RespCommandId.ZRank => new Read("ZRANK", ReadOp.ZRank, a.Key(1), [a.Member(2)]),
        RespCommandId.ZRevRank => new Read("ZREVRANK", ReadOp.ZRevRank, a.Key(1), [a.Member(2)]),
        RespCommandId.ZRange => Range("ZRANGE", a, null, null),
        RespCommandId.ZRevRange => Range("ZREVRANGE", a, RangeBy.Rank, true),
        RespCommandId.ZRangeByScore => Range("ZRANGEBYSCORE", a, RangeBy.Score, false),
        RespCommandId.ZRevRangeByScore => Range("ZREVRANGEBYSCORE", a, RangeBy.Score, true),
        RespCommandId.ZRangeByLex => Range("ZRANGEBYLEX", a, RangeBy.Lex, false),
        RespCommandId.ZRevRangeByLex => Range("ZREVRANGEBYLEX", a, RangeBy.Lex, true),
        _ => null,
    };

    /// <summary><c>ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]</c>, checked as Redis' <c>zaddGenericCommand</c>.</summary>
    private static Write Add(RespPlanArgs a)
    {
        var flags = ZAddFlags.None;
        var first = 2;
        for (; first < a.Count && Option(a, first) is { } option; first++)
            flags |= option;
        if (a.Count == first || (a.Count - first) % 2 != 0)
            throw new RespRefusal(RespErrors.Syntax);
        if (flags.HasFlag(ZAddFlags.IfAbsent) && flags.HasFlag(ZAddFlags.IfPresent))
            throw new RespRefusal("ERR XX and NX options at the same time are not compatible");
        if (BitOperations.PopCount((uint)(flags & (ZAddFlags.IfAbsent | ZAddFlags.IfGreater | ZAddFlags.IfLess))) > 1)
            throw new RespRefusal("ERR GT, LT, and/or NX options at the same time are not compatible");
        if (flags.HasFlag(ZAddFlags.Increment) && a.Count - first > 2)
            throw new RespRefusal("ERR INCR option supports a single increment-element pair");
        return new Write("ZADD", AddEntry(a, flags, first));
    }

    private static ZAddFlags? Option(RespPlanArgs a, int i) =>
        a.Is(i, RespLiterals.Nx) ? ZAddFlags.IfAbsent
        : a.Is(i, RespLiterals.Xx) ? ZAddFlags.IfPresent
        : a.Is(i, RespLiterals.Gt) ? ZAddFlags.IfGreater
        : a.Is(i, RespLiterals.Lt) ? ZAddFlags.IfLess
        : a.Is(i, RespLiterals.Ch) ? ZAddFlags.Changed
        : a.Is(i, RespLiterals.Incr) ? ZAddFlags.Increment
        : null;

    /// <summary>The entry for score, member pairs from <paramref name="first"/> on; every score is read before any member, as Redis does.</summary>
    private static KvCommand AddEntry(RespPlanArgs a, ZAddFlags flags, int first)
    {
        var args = new ReadOnlyMemory<byte>[2 + a.Count - first];
        args[0] = a.MaxElements;
        args[1] = CommandArgs.Byte((byte)flags);
        for (var i = first; i < a.Count; i += 2)
            args[2 + i - first] = a.Score(i);
        for (var i = first + 1; i < a.Count; i += 2)
            args[2 + i - first] = a.Member(i);
        return KvCommand.Of(CommandOp.SortedSetAdd, a.Key(1), a.NowMs, args);
    }

    /// <summary><c>ZPOPMIN key [count]</c>: answered as a flat array of members and scores, with or without a count.</summary>
    private static Write Pop(string name, byte end, RespPlanArgs a) =>
        new(name, KvCommand.Of(CommandOp.SortedSetPop, a.Key(1), a.NowMs, CommandArgs.Byte(end), CommandArgs.Long(a.PopCount())));

    private static Write RemoveRange(string name, RespPlanArgs a, RangeBy by) =>
        new(name, KvCommand.Of(CommandOp.SortedSetRemoveRange, a.Key(1), a.NowMs, Bounds(a, by, 2, 3).ToArgs()));

    /// <summary>
    /// <c>ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]</c> and the older forms, which fix
    /// <paramref name="by"/> and <paramref name="reverse"/> (null: an option may choose), checked as Redis' <c>zrangeGenericCommand</c>.
    /// </summary>
    private static Read Range(string name, RespPlanArgs a, RangeBy? by, bool? reverse)
    {
        var withScores = false;
        long offset = 0, limit = -1;
        for (var i = 4; i < a.Count; i++)
        {
            if (a.Is(i, RespLiterals.WithScores))
                withScores = true;
            else if (a.Is(i, RespLiterals.Limit) && a.Count - i > 2)
            {
                offset = a.Long(i + 1);
                limit = a.Long(i + 2);
                i += 2;
            }
            else if (reverse is null && a.Is(i, RespLiterals.Rev))
                reverse = true;
            else if (by is null && a.Is(i, RespLiterals.ByLex))
                by = RangeBy.Lex;
            else if (by is null && a.Is(i, RespLiterals.ByScore))
                by = RangeBy.Score;
            else
                throw new RespRefusal(RespErrors.Syntax);
        }
        by ??= RangeBy.Rank;
        if (limit != -1 && by == RangeBy.Rank)
            throw new RespRefusal("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        if (withScores && by == RangeBy.Lex)
            throw new RespRefusal("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        // A reversed score or member range is given as max, min.
        var (min, max) = reverse == true && by != RangeBy.Rank ? (3, 2) : (2, 3);
        var range = Bounds(a, by.Value, min, max) with { Reverse = reverse == true, Offset = offset, Limit = limit, WithScores = withScores };
        return new Read(name, ReadOp.ZRange, a.Key(1), range.ToArgs());
    }

    private static SortedSetRange Bounds(RespPlanArgs a, RangeBy by, int min, int max)
    {
        var (start, stop) = by switch
        {
            RangeBy.Rank => (a.LongArg(min), a.LongArg(max)),
            RangeBy.Score => a.ScoreRange(min, max),
            _ => a.LexRange(min, max),
        };
        return new SortedSetRange(by, start, stop);
    }
}
