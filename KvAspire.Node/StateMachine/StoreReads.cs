using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>Answers the <see cref="ReadOp"/>s against a view of the store in which keys past their deadline are absent.</summary>
internal static class StoreReads
{
    public static CommandReply Evaluate(ReadOp op, string key, IReadOnlyList<ReadOnlyMemory<byte>> args, Func<string, StoredValue?> live, long nowMs)
    {
        var value = live(key);
        return op switch
        {
            ReadOp.Get => value switch { null => CommandReply.Null, StringValue s => new CommandReply.Bulk(s.Value), _ => ReplyErrors.WrongType },
            ReadOp.StrLen => value switch { null => CommandReply.Zero, StringValue s => CommandReply.Of(s.Value.Length), _ => ReplyErrors.WrongType },
            ReadOp.Exists => CommandReply.Of((value is null ? 0 : 1) + args.Count(k => live(CommandArgs.ReadText(k)) is not null)),
            ReadOp.MGet => new CommandReply.Array([Bulk(value), .. args.Select(k => Bulk(live(CommandArgs.ReadText(k))))]),
            ReadOp.Type => new CommandReply.Status(value is null ? "none" : value.Kind.ToString().ToLowerInvariant()),
            ReadOp.Ttl or ReadOp.PTtl or ReadOp.ExpireTime or ReadOp.PExpireTime => TimeLeft(op, value, nowMs),
            ReadOp.ZScore or ReadOp.ZMScore or ReadOp.ZCard or ReadOp.ZCount or ReadOp.ZRank or ReadOp.ZRevRank or ReadOp.ZRange => value switch
            {
                null => SortedSetReads.Missing(op, args.Count),
                SortedSetValue set => SortedSetReads.Evaluate(op, set, args),
                _ => ReplyErrors.WrongType,
            },
            _ => value is null ? Missing(op, args.Count) : Collection(op, value, args),
        };
    }

    private static CommandReply Bulk(StoredValue? value) => value is StringValue s ? new CommandReply.Bulk(s.Value) : CommandReply.Null;

    /// <summary>TTL and PTTL answer what is left, EXPIRETIME and PEXPIRETIME the deadline; -2 for no key, -1 for no deadline.</summary>
    private static CommandReply TimeLeft(ReadOp op, StoredValue? value, long nowMs)
    {
        if (value is null)
            return CommandReply.Of(-2);
        if (value.DeadlineMs == 0)
            return CommandReply.Of(-1);
        var left = value.DeadlineMs - nowMs;
        return CommandReply.Of(op switch
        {
            // Redis rounds TTL to the nearest second.
            ReadOp.Ttl => (left + 500) / 1000,
            ReadOp.PTtl => left,
            ReadOp.ExpireTime => value.DeadlineMs / 1000,
            _ => value.DeadlineMs,
        });
    }

    /// <summary>What Redis answers for a collection read of a key that does not exist: an empty collection.</summary>
    private static CommandReply Missing(ReadOp op, int argCount) => op switch
    {
        ReadOp.HGet or ReadOp.LIndex => CommandReply.Null,
        ReadOp.HMGet => new CommandReply.Array(Enumerable.Repeat(CommandReply.Null, argCount).ToList()),
        ReadOp.SMIsMember => new CommandReply.Array(Enumerable.Repeat(CommandReply.Zero, argCount).ToList()),
        ReadOp.HGetAll or ReadOp.HKeys or ReadOp.HVals or ReadOp.LRange or ReadOp.SMembers => CommandReply.EmptyArray,
        _ => CommandReply.Zero,
    };

    private static CommandReply Collection(ReadOp op, StoredValue value, IReadOnlyList<ReadOnlyMemory<byte>> args) => (op, value) switch
    {
        (ReadOp.HGet, HashValue h) => CommandReply.Of(h.Fields.GetValueOrDefault(CommandArgs.ReadText(args[0]))),
        (ReadOp.HMGet, HashValue h) => new CommandReply.Array(args.Select(f => CommandReply.Of(h.Fields.GetValueOrDefault(CommandArgs.ReadText(f)))).ToList()),
        (ReadOp.HGetAll, HashValue h) => CommandReply.Of(h.Fields.SelectMany(pair => new[] { Encoding.UTF8.GetBytes(pair.Key), pair.Value })),
        (ReadOp.HExists, HashValue h) => CommandReply.Of(h.Fields.ContainsKey(CommandArgs.ReadText(args[0]))),
        (ReadOp.HLen, HashValue h) => CommandReply.Of(h.Fields.Count),
        (ReadOp.HKeys, HashValue h) => CommandReply.Of(h.Fields.Keys.Select(Encoding.UTF8.GetBytes)),
        (ReadOp.HVals, HashValue h) => CommandReply.Of(h.Fields.Values),
        (ReadOp.LRange, ListValue l) => LRange(l, CommandArgs.ReadLong(args[0]), CommandArgs.ReadLong(args[1])),
        (ReadOp.LLen, ListValue l) => CommandReply.Of(l.Items.Count),
        (ReadOp.LIndex, ListValue l) => LIndex(l, CommandArgs.ReadLong(args[0])),
        (ReadOp.SMembers, SetValue s) => CommandReply.Of(s.Members.Select(Encoding.UTF8.GetBytes)),
        (ReadOp.SIsMember, SetValue s) => CommandReply.Of(s.Members.Contains(CommandArgs.ReadText(args[0]))),
        (ReadOp.SMIsMember, SetValue s) => new CommandReply.Array(args.Select(m => CommandReply.Of(s.Members.Contains(CommandArgs.ReadText(m)))).ToList()),
        (ReadOp.SCard, SetValue s) => CommandReply.Of(s.Members.Count),
        _ => ReplyErrors.WrongType,
    };

    private static CommandReply LRange(ListValue list, long start, long stop)
    {
        var (from, count) = ListOps.Range(start, stop, list.Items.Count);
        return CommandReply.Of(list.Items.GetRange(from, count));
    }

    private static CommandReply LIndex(ListValue list, long index)
    {
        var i = index < 0 ? index + list.Items.Count : index;
        return i >= 0 && i < list.Items.Count ? CommandReply.Of(list.Items[(int)i]) : CommandReply.Null;
    }
}
