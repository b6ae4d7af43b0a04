namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on hashes. A hash left without fields is deleted, as in Redis.</summary>
internal static class HashOps
{
    /// <summary><see cref="CommandOp.HashSet"/>'s flags.</summary>
    public const byte OnlyIfAbsent = 1, ReplyOk = 2;

    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.HashSet => Set(c.Key, CommandArgs.ReadInt(c.Args[0]), CommandArgs.ReadByte(c.Args[1]), c.Args, context),
        CommandOp.HashDelete => Delete(c.Key, c.Args, context),
        CommandOp.HashIncrementBy => IncrementBy(c.Key, CommandArgs.ReadInt(c.Args[0]), CommandArgs.ReadText(c.Args[1]),
            CommandArgs.ReadLong(c.Args[2]), context),
        _ => throw new InvalidDataException($"{c.Op} is not a hash op"),
    };

    private static ApplyResult Set(string key, int max, byte flags, IReadOnlyList<ReadOnlyMemory<byte>> args, ApplyContext context)
    {
        if (!context.TryLive<HashValue>(key, out var old, out var wrongType))
            return wrongType;
        // One SetItem per field, not a builder: most HSETs carry one field, and a builder's round trip (ToBuilder,
        // ToImmutable) and a lookup to count what is new cost more than the one tree path a field replaces
        // (bench/RESULTS.md, "HSET against SET"). The count tells what was added.
        var before = old?.Fields ?? HashValue.Empty;
        var fields = before;
        for (var i = 2; i + 1 < args.Count; i += 2)
        {
            var field = CommandArgs.ReadText(args[i]);
            if ((flags & OnlyIfAbsent) != 0 && fields.ContainsKey(field))
                return new ApplyResult(old is not null, CommandReply.Zero);
            fields = fields.SetItem(field, args[i + 1].ToArray());
        }
        if (fields.Count > max)
            return new ApplyResult(old is not null, ReplyErrors.TooManyElements(max));
        context.Put(key, new HashValue(fields, old?.DeadlineMs ?? 0, context.Revision));
        var added = fields.Count - before.Count;
        return new ApplyResult(old is not null, (flags & ReplyOk) != 0 ? CommandReply.Ok : CommandReply.Of(added));
    }

    private static ApplyResult Delete(string key, IReadOnlyList<ReadOnlyMemory<byte>> fields, ApplyContext context)
    {
        if (!context.TryLive<HashValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Zero);
        var remaining = old.Fields.RemoveRange(fields.Select(CommandArgs.ReadText));
        var removed = old.Fields.Count - remaining.Count;
        if (remaining.IsEmpty)
            context.Remove(key);
        else if (removed > 0)
            context.Put(key, new HashValue(remaining, old.DeadlineMs, context.Revision));
        return new ApplyResult(true, CommandReply.Of(removed));
    }

    private static ApplyResult IncrementBy(string key, int max, string field, long increment, ApplyContext context)
    {
        if (!context.TryLive<HashValue>(key, out var old, out var wrongType))
            return wrongType;
        var fields = old?.Fields ?? HashValue.Empty;
        var current = 0L;
        if (fields.TryGetValue(field, out var text) && !IntegerText.TryParse(text, out current))
            return new ApplyResult(old is not null, ReplyErrors.HashNotInteger);
        if (increment > 0 ? current > long.MaxValue - increment : current < long.MinValue - increment)
            return new ApplyResult(old is not null, ReplyErrors.Overflow);
        if (text is null && fields.Count + 1 > max)
            return new ApplyResult(old is not null, ReplyErrors.TooManyElements(max));
        var result = current + increment;
        context.Put(key, new HashValue(fields.SetItem(field, IntegerText.Format(result)), old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, CommandReply.Of(result));
    }
}
