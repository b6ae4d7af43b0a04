namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on keys of any kind: deletion and deadlines.</summary>
internal static class KeyOps
{
    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.Delete => Delete(c.Key, context),
        CommandOp.DeleteMany => DeleteMany(c.Args, context),
        CommandOp.DeleteExpired => DeleteExpired(c.Args, context),
        CommandOp.Expire => Expire(c.Key, CommandArgs.ReadLong(c.Args[0]), (ExpireCondition)CommandArgs.ReadByte(c.Args[1]), context),
        CommandOp.Persist => Persist(c.Key, context),
        _ => throw new InvalidDataException($"{c.Op} is not a key op"),
    };

    private static ApplyResult Delete(string key, ApplyContext context)
    {
        // A key past its deadline is already gone to this entry, as to a Redis client: it was not there to delete.
        var existed = context.Live(key) is not null;
        context.Remove(key);
        return new ApplyResult(existed, CommandReply.Of(existed));
    }

    private static ApplyResult DeleteMany(IReadOnlyList<ReadOnlyMemory<byte>> keys, ApplyContext context)
    {
        var deleted = keys.Count(key => Delete(CommandArgs.ReadText(key), context).Existed);
        return new ApplyResult(deleted > 0, CommandReply.Of(deleted));
    }

    /// <summary>Only keys still past their deadline: one written again since the primary chose it stays.</summary>
    private static ApplyResult DeleteExpired(IReadOnlyList<ReadOnlyMemory<byte>> keys, ApplyContext context)
    {
        var deleted = 0;
        foreach (var arg in keys)
        {
            var key = CommandArgs.ReadText(arg);
            if (context.Store.Get(key) is { } value && value.IsExpiredAt(context.NowMs) && context.Remove(key))
                deleted++;
        }
        return new ApplyResult(deleted > 0, CommandReply.Of(deleted));
    }

    private static ApplyResult Expire(string key, long deadlineMs, ExpireCondition condition, ApplyContext context)
    {
        if (context.Live(key) is not { } value)
            return new ApplyResult(false, CommandReply.Zero);
        var current = value.DeadlineMs;
        // No deadline counts as an infinitely late one, as in Redis.
        var allowed = ((condition & ExpireCondition.IfNone) == 0 || current == 0)
            && ((condition & ExpireCondition.IfSome) == 0 || current != 0)
            && ((condition & ExpireCondition.IfLater) == 0 || current != 0 && deadlineMs > current)
            && ((condition & ExpireCondition.IfEarlier) == 0 || current == 0 || deadlineMs < current);
        if (!allowed)
            return new ApplyResult(true, CommandReply.Zero);
        if (deadlineMs <= context.NowMs)
            context.Remove(key);
        else
            context.Put(key, value.With(deadlineMs, context.Revision));
        return new ApplyResult(true, CommandReply.One);
    }

    private static ApplyResult Persist(string key, ApplyContext context)
    {
        if (context.Live(key) is not { DeadlineMs: not 0 } value)
            return new ApplyResult(context.Live(key) is not null, CommandReply.Zero);
        context.Put(key, value.With(0, context.Revision));
        return new ApplyResult(true, CommandReply.One);
    }
}
