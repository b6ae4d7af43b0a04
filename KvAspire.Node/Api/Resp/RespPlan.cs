using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// What a data command asks for once its arguments are read: a write through the log, a read on the
/// primary, or an answer with no store involved. The same plan runs alone or queued in MULTI, where
/// writes and reads become parts of one transaction entry.
/// </summary>
public abstract record RespPlan
{
    private RespPlan() { }

    public sealed record Write(string Name, KvCommand Command) : RespPlan;

    public sealed record Read(string Name, ReadOp Op, string Key, IReadOnlyList<ReadOnlyMemory<byte>> Args) : RespPlan
    {
        /// <summary>The read as a transaction carries it, answered when the transaction applies.</summary>
        public KvCommand ToCommand(long nowMs) => KvCommand.Of(CommandOp.Read, Key, nowMs, [CommandArgs.Byte((byte)Op), .. Args]);
    }

    /// <summary>SPOP or SRANDMEMBER: members are chosen on the primary, and a pop is replicated as their removal.</summary>
    /// <param name="Count">Null: one member, answered as a bulk string rather than an array.</param>
    public sealed record RandomMembers(string Key, long? Count, bool Pop) : RespPlan;

    /// <summary>An answer decided without the store (what SRANDMEMBER chose).</summary>
    public sealed record Answer(CommandReply Reply) : RespPlan;

    /// <summary>The arguments are wrong: nothing runs, and a transaction queuing this aborts.</summary>
    public sealed record Refused(string Error) : RespPlan;
}

/// <summary>Thrown while reading a command's arguments, with Redis' error text; becomes <see cref="RespPlan.Refused"/>.</summary>
public sealed class RespRefusal(string error) : Exception(error);
