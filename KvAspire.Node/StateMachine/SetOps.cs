namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on sets. A set left without members is deleted, as in Redis.</summary>
internal static class SetOps
{
    /// <summary><see cref="CommandOp.SetPop"/>'s reply shapes.</summary>
    public const byte OneMember = 0, Members = 1;

    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.SetAdd => Add(c.Key, CommandArgs.ReadInt(c.Args[0]), c.Args.Skip(1), context),
        CommandOp.SetRemove => Remove(c.Key, c.Args, context).Result,
        CommandOp.SetPop => Pop(c.Key, CommandArgs.ReadByte(c.Args[0]), c.Args.Skip(1).ToList(), context),
        CommandOp.SetPopWithSeed => PopWithSeed(c.Key, CommandArgs.ReadByte(c.Args[0]), CommandArgs.ReadLong(c.Args[1]),
            CommandArgs.ReadLong(c.Args[2]), c.Args.Skip(3), context),
        _ => throw new InvalidDataException($"{c.Op} is not a set op"),
    };

    /// <summary>
    /// The entry a primary proposes for <c>SPOP key [count]</c> (<paramref name="count"/> null: no count given) after
    /// choosing <paramref name="chosen"/> from its view of the set; <paramref name="seed"/> is its chance, carried so
    /// every node that applies the entry decides alike.
    /// </summary>
    public static KvCommand PopEntry(string key, long? count, ReadOnlyMemory<byte>[] chosen, long seed, long nowMs) =>
        KvCommand.Of(CommandOp.SetPopWithSeed, key, nowMs,
            [CommandArgs.Byte(count is null ? OneMember : Members), CommandArgs.Long(count ?? 1), CommandArgs.Long(seed), .. chosen]);

    private static ApplyResult Add(string key, int max, IEnumerable<ReadOnlyMemory<byte>> members, ApplyContext context)
    {
        if (!context.TryLive<SetValue>(key, out var old, out var wrongType))
            return wrongType;
        var before = old?.Members ?? SetValue.Empty;
        var after = before.Union(members.Select(CommandArgs.ReadText));
        if (after.Count > max)
            return new ApplyResult(old is not null, ReplyErrors.TooManyElements(max));
        if (after.Count != before.Count)
            context.Put(key, new SetValue(after, old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, CommandReply.Of(after.Count - before.Count));
    }

    private static (ApplyResult Result, List<string> Removed) Remove(string key, IEnumerable<ReadOnlyMemory<byte>> members, ApplyContext context)
    {
        if (!context.TryLive<SetValue>(key, out var old, out var wrongType))
            return (wrongType, []);
        if (old is null)
            return (new ApplyResult(false, CommandReply.Zero), []);
        var removed = Present(old, members);
        return (Take(key, old, removed, context), removed);
    }

    /// <summary>The distinct members given that the set holds, in the order given.</summary>
    private static List<string> Present(SetValue set, IEnumerable<ReadOnlyMemory<byte>> members) =>
        members.Select(CommandArgs.ReadText).Distinct(StringComparer.Ordinal).Where(set.Members.Contains).ToList();

    /// <summary>Removes <paramref name="removed"/> (members the set holds) and answers how many.</summary>
    private static ApplyResult Take(string key, SetValue old, List<string> removed, ApplyContext context)
    {
        var after = old.Members.Except(removed);
        if (after.IsEmpty)
            context.Remove(key);
        else if (removed.Count > 0)
            context.Put(key, new SetValue(after, old.DeadlineMs, context.Revision));
        return new ApplyResult(true, CommandReply.Of(removed.Count));
    }

    /// <summary>SPOP as the primary chose it, before seeds (<see cref="CommandOp.SetPop"/>): the chosen members still there.</summary>
    private static ApplyResult Pop(string key, byte shape, List<ReadOnlyMemory<byte>> members, ApplyContext context)
    {
        var (result, removed) = Remove(key, members, context);
        return result.Reply is CommandReply.Error ? result : result with { Reply = PopReply(shape, removed) };
    }

    /// <summary>
    /// SPOP with the primary's seed: the chosen members still there, and for each one an earlier entry took, another
    /// drawn with the seed, up to <paramref name="wanted"/>, as Redis answers a pop that runs after another.
    /// </summary>
    private static ApplyResult PopWithSeed(string key, byte shape, long wanted, long seed, IEnumerable<ReadOnlyMemory<byte>> chosen,
        ApplyContext context)
    {
        if (!context.TryLive<SetValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, PopReply(shape, []));
        var taken = Present(old, chosen);
        var missing = (int)Math.Min(wanted - taken.Count, old.Members.Count - taken.Count);
        if (missing > 0)
            taken.AddRange(SetDraw.Distinct(old.Members.Except(taken), missing, new SeededChance(seed).Next));
        return Take(key, old, taken, context) with { Reply = PopReply(shape, taken) };
    }

    private static CommandReply PopReply(byte shape, List<string> popped)
    {
        var replies = popped.Select(m => CommandArgs.Text(m)).ToList();
        return shape == OneMember ? CommandReply.Of(replies.FirstOrDefault()) : CommandReply.Of(replies);
    }
}
