namespace KvAspire.Node.StateMachine;

/// <summary>
/// A write applied at most once per idempotency key (Raft §8's de-duplication of client retries). The first entry
/// with a key runs its write and keeps what it answered until the record's deadline; a later entry with the same key
/// and the same request runs nothing and answers what the first did, with the first entry's index and term. A
/// different request under a live key is refused. The decision and the record are the state machine's, judged
/// at the entry's timestamp, so they are the same on every node, survive failover and travel in snapshots.
/// </summary>
public static class Idempotency
{
    public static readonly CommandReply.Error KeyReused =
        new("ERR the idempotency key was used for a different request within its window; nothing was done");

    /// <param name="fingerprint">What identifies the request (method, key, value, conditions), so a retry can be told from a new request.</param>
    /// <param name="deadlineMs">Until when the outcome is kept, by the primary's clock: the window is the primary's setting, carried so every node keeps the same.</param>
    public static KvCommand Create(string idempotencyKey, ulong fingerprint, long deadlineMs, KvCommand write) =>
        KvCommand.Of(CommandOp.Idempotent, write.Key, write.TimestampMs, CommandArgs.Text(idempotencyKey),
            CommandArgs.Long(unchecked((long)fingerprint)), CommandArgs.Long(deadlineMs), write.Encode());

    internal static ApplyResult Apply(KvCommand command, long index, long term, ApplyContext context, IdempotencyRecords records)
    {
        if (command.Args.Count != 4)
            throw new InvalidDataException($"an idempotent write has {command.Args.Count} arguments, not 4");
        var key = CommandArgs.ReadText(command.Args[0]);
        var fingerprint = unchecked((ulong)CommandArgs.ReadLong(command.Args[1]));
        var deadline = CommandArgs.ReadLong(command.Args[2]);
        if (!KvCommand.TryDecode(command.Args[3], out var write) || write.Op == CommandOp.Idempotent)
            throw new InvalidDataException("an idempotent write holds a malformed write");
        if (records.Live(key, context.NowMs) is { } earlier)
        {
            return earlier.Fingerprint == fingerprint
                ? new ApplyResult(earlier.Existed, earlier.Reply) { Repeats = earlier }
                : new ApplyResult(false, KeyReused);
        }
        var result = KvStore.Execute(write, context);
        records.Add(key, new IdempotencyRecord(fingerprint, index, term, result.Existed, result.Reply, deadline), context.NowMs);
        return result;
    }
}
