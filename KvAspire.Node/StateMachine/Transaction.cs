namespace KvAspire.Node.StateMachine;

/// <summary>
/// MULTI/EXEC as one log entry: the watched keys' revisions are compared when the entry applies, on every
/// node alike, and only if none changed do the commands run, one after another with nothing between them.
/// </summary>
public static class Transaction
{
    /// <summary>The revision a WATCH records for a key that does not exist.</summary>
    public const long Absent = -1;

    /// <param name="watched">Each watched key with the revision it had when watched (<see cref="Absent"/> if it had none).</param>
    public static KvCommand Create(IReadOnlyList<KeyValuePair<string, long>> watched, IReadOnlyList<KvCommand> commands, long timestampMs)
    {
        var args = new List<ReadOnlyMemory<byte>>(1 + watched.Count * 2 + commands.Count) { CommandArgs.Int(watched.Count) };
        foreach (var (key, revision) in watched)
        {
            args.Add(CommandArgs.Text(key));
            args.Add(CommandArgs.Long(revision));
        }
        foreach (var command in commands)
            args.Add(command.Encode());
        return KvCommand.Of(CommandOp.Transaction, "", timestampMs, [.. args]);
    }

    /// <summary>A key's revision as WATCH records it.</summary>
    public static long RevisionOf(StoredValue? value) => value?.Revision ?? Absent;

    internal static ApplyResult Apply(KvCommand transaction, ApplyContext context)
    {
        var args = transaction.Args;
        var watched = CommandArgs.ReadInt(args[0]);
        if (watched < 0 || 1 + watched * 2L > args.Count)
            throw new InvalidDataException($"a transaction claims {watched} watched keys");
        for (var i = 0; i < watched; i++)
        {
            var key = CommandArgs.ReadText(args[1 + i * 2]);
            if (RevisionOf(context.Live(key)) != CommandArgs.ReadLong(args[2 + i * 2]))
                return new ApplyResult(false, CommandReply.NullArray);
        }
        var replies = new List<CommandReply>(args.Count - 1 - watched * 2);
        for (var i = 1 + watched * 2; i < args.Count; i++)
        {
            if (!KvCommand.TryDecode(args[i], out var command) || command.Op is CommandOp.Transaction or CommandOp.Idempotent)
                throw new InvalidDataException("a transaction holds a malformed command");
            replies.Add(KvStore.Execute(command, context).Reply ?? CommandReply.Ok);
        }
        return new ApplyResult(true, new CommandReply.Array(replies));
    }
}
