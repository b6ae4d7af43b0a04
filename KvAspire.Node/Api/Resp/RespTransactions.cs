using System.Buffers;
using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>Commands queued between MULTI and EXEC, copied out of the connection's buffer.</summary>
public sealed class RespQueuedTransaction
{
    public List<(RespCommandInfo Command, byte[][] Args)> Commands { get; } = [];
    public long Bytes { get; set; }

    /// <summary>A queued command was refused (syntax, arity, limits): EXEC answers EXECABORT and runs nothing.</summary>
    public bool Aborted { get; set; }
}

/// <summary>
/// MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis' replies. EXEC turns the queue into one log entry that
/// the state machine applies as a whole, after comparing every watched key's revision with the one WATCH
/// recorded: a transaction never commits over a change it did not see, on any node, across failovers too.
/// </summary>
public sealed class RespTransactions(RespPlanRunner runner, KvCommands commands)
{
    public const string Nested = "ERR MULTI calls can not be nested";
    public const string ExecWithoutMulti = "ERR EXEC without MULTI";
    public const string DiscardWithoutMulti = "ERR DISCARD without MULTI";
    public const string WatchInMulti = "ERR WATCH inside MULTI is not allowed";
    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    public void Multi(RespSession session, IBufferWriter<byte> output)
    {
        if (session.Transaction is not null)
        {
            WriteError(output, Nested);
            return;
        }
        session.Transaction = new RespQueuedTransaction();
        WriteRaw(output, RespLiterals.Ok);
    }

    /// <summary>A command sent after MULTI: checked as if it ran, then queued (+QUEUED) or refused, which aborts the transaction.</summary>
    public void Queue(RespSession session, RespCommandInfo command, RespArguments args, IBufferWriter<byte> output)
    {
        var transaction = session.Transaction!;
        var limits = runner.Planner.Limits;
        var error = runner.Planner.Plan(command, args, commands.NowMs) switch
        {
            null => $"ERR KvAspire cannot run '{command.Name}' inside MULTI",
            RespPlan.Refused refused => refused.Error,
            _ when transaction.Commands.Count >= limits.MaxTransactionCommands =>
                $"ERR the transaction has more than {limits.MaxTransactionCommands} commands, the limit (Limits:MaxTransactionCommands)",
            _ when transaction.Bytes + args.TotalBytes > limits.MaxTransactionBytes =>
                $"ERR the transaction is over {limits.MaxTransactionBytes} bytes, the limit (Limits:MaxTransactionBytes)",
            _ => null,
        };
        if (error is not null)
        {
            transaction.Aborted = true;
            WriteError(output, error);
            return;
        }
        transaction.Commands.Add((command, Enumerable.Range(0, args.Count).Select(args.Bytes).ToArray()));
        transaction.Bytes += args.TotalBytes;
        WriteRaw(output, RespLiterals.Queued);
    }

    /// <summary>A command that failed its arity or name check after MULTI: Redis answers the error and aborts the transaction.</summary>
    public static void Abort(RespSession session) => session.Transaction!.Aborted = true;

    public void Discard(RespSession session, IBufferWriter<byte> output)
    {
        if (session.Transaction is null)
        {
            WriteError(output, DiscardWithoutMulti);
            return;
        }
        session.Transaction = null;
        session.Watched.Clear();
        WriteRaw(output, RespLiterals.Ok);
    }

    public void Watch(RespSession session, RespArguments args, IBufferWriter<byte> output)
    {
        if (session.Transaction is not null)
        {
            WriteError(output, WatchInMulti);
            return;
        }
        var a = new RespPlanArgs(args, runner.Planner.Limits, commands.NowMs);
        try
        {
            foreach (var key in a.Keys(1))
                session.Watched.TryAdd(key, commands.WatchRevision(key));
            WriteRaw(output, RespLiterals.Ok);
        }
        catch (RespRefusal refusal)
        {
            WriteError(output, refusal.Message);
        }
    }

    public static void Unwatch(RespSession session, IBufferWriter<byte> output)
    {
        session.Watched.Clear();
        WriteRaw(output, RespLiterals.Ok);
    }

    public async ValueTask ExecAsync(RespSession session, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (session.Transaction is not { } transaction)
        {
            WriteError(output, ExecWithoutMulti);
            return;
        }
        session.Transaction = null;
        var watched = session.Watched.ToList();
        session.Watched.Clear();
        if (transaction.Aborted)
        {
            WriteError(output, ExecAbort);
            return;
        }
        var now = commands.NowMs;
        // Planned again now, so relative expiry counts from EXEC, as in Redis.
        var plans = new List<RespPlan>(transaction.Commands.Count);
        foreach (var (command, args) in transaction.Commands)
        {
            var plan = runner.Planner.Plan(command, RespArguments.Of(args), now)!;
            plans.Add(plan is RespPlan.RandomMembers random ? await runner.DecideAsync(session, random, cancellationToken) : plan);
        }
        if (plans.OfType<RespPlan.Refused>().FirstOrDefault() is { } refused)
        {
            WriteError(output, refused.Error);
            return;
        }
        var entry = Transaction.Create(watched, [.. plans.Select(p => ToCommand(p, now)).OfType<KvCommand>()], now);
        var outcome = await commands.WriteAsync("EXEC", entry, cancellationToken);
        session.Wrote(outcome);
        if (outcome is WriteOutcome.Written { Reply: CommandReply.Array applied })
            RespReplyWriter.Write(output, Merge(plans, applied.Items));
        else
            runner.Reply(output, outcome);
    }

    private static KvCommand? ToCommand(RespPlan plan, long now) => plan switch
    {
        RespPlan.Write write => write.Command,
        RespPlan.Read read => read.ToCommand(now),
        _ => null,
    };

    /// <summary>One reply per queued command, in order: what the entry answered, and what was decided before it (SRANDMEMBER).</summary>
    private static CommandReply Merge(List<RespPlan> plans, IReadOnlyList<CommandReply> applied)
    {
        var replies = new List<CommandReply>(plans.Count);
        var next = 0;
        foreach (var plan in plans)
            replies.Add(plan is RespPlan.Answer answer ? answer.Reply : applied[next++]);
        return new CommandReply.Array(replies);
    }
}
