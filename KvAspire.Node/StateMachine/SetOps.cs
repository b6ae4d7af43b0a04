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
        _ => throw new InvalidDataException($"{c.Op} is not a set op"),
    };

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
        var removed = members.Select(CommandArgs.ReadText).Distinct(StringComparer.Ordinal).Where(old.Members.Contains).ToList();
        var after = old.Members.Except(removed);
        if (after.IsEmpty)
            context.Remove(key);
        else if (removed.Count > 0)
            context.Put(key, new SetValue(after, old.DeadlineMs, context.Revision));
        return (new ApplyResult(true, CommandReply.Of(removed.Count)), removed);
    }

    /// <summary>SPOP as the primary chose it: the chosen members that are still there are removed and answered.</summary>
    private static ApplyResult Pop(string key, byte shape, List<ReadOnlyMemory<byte>> members, ApplyContext context)
    {
        var (result, removed) = Remove(key, members, context);
        if (result.Reply is CommandReply.Error)
            return result;
        var replies = removed.Select(m => CommandArgs.Text(m)).ToList();
        var reply = shape == OneMember ? CommandReply.Of(replies.FirstOrDefault()) : CommandReply.Of(replies);
        return result with { Reply = reply };
    }
}
