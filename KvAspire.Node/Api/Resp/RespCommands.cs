using System.Buffers;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The one dispatch of the RESP endpoint: look the command up, check its arity (Redis' error text),
/// then one switch. Connection commands are answered here; data and server commands by their own
/// classes, most data commands as a <see cref="RespPlan"/>. After MULTI, data commands are queued instead.
/// Every reply is written to <c>output</c> before the returned task completes.
/// </summary>
public sealed class RespCommands(RespDataCommands data, RespServerCommands server, RespAuthentication authentication,
    RespPlanRunner plans, RespTransactions transactions, RespCollectionScans scans, RespPubSubCommands pubSub)
{
    public ValueTask ExecuteAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken) =>
        ExecuteAsync(session, RespCommandTable.Find(args), args, output, cancellationToken);

    /// <param name="command"><paramref name="args"/>' command as <see cref="RespCommandTable.Find(RespArguments)"/> found it (null: unknown),
    /// for a caller that looked it up already.</param>
    public ValueTask ExecuteAsync(RespSession session, RespCommandInfo? command, RespArguments args, IBufferWriter<byte> output,
        CancellationToken cancellationToken)
    {
        if (command is null || !command.AcceptsArity(args.Count))
        {
            // As in Redis, a transaction that queued a command it could not even check will not run.
            if (session.Transaction is not null)
                RespTransactions.Abort(session);
            WriteError(output, command is null ? RespErrors.UnknownCommand(args) : RespErrors.WrongArity(command.Name));
            return ValueTask.CompletedTask;
        }
        if (!session.Authenticated && command.Id is not (RespCommandId.Auth or RespCommandId.Hello or RespCommandId.Quit))
        {
            WriteError(output, RespErrors.NoAuth);
            return ValueTask.CompletedTask;
        }
        if (session.Transaction is not null && command.Id is not (RespCommandId.Exec or RespCommandId.Discard or RespCommandId.Multi
                or RespCommandId.Watch or RespCommandId.Unwatch or RespCommandId.Quit))
        {
            transactions.Queue(session, command, args, output);
            return ValueTask.CompletedTask;
        }
        if (session.Subscriber is { Count: > 0 } && !RespPubSubCommands.IsAllowedWhileSubscribed(command.Id))
        {
            WriteError(output, RespPubSubCommands.NotAllowedWhileSubscribed(command.Name));
            return ValueTask.CompletedTask;
        }
        switch (command.Id)
        {
            case RespCommandId.Ping: Ping(session, args, output); break;
            case RespCommandId.Echo: WriteBulk(output, args[1]); break;
            case RespCommandId.Hello: Hello(session, args, output); break;
            case RespCommandId.Auth: authentication.Auth(session, args, output); break;
            case RespCommandId.Select: Select(args, output); break;
            case RespCommandId.Quit:
                session.Closing = true;
                RespWriter.WriteRaw(output, RespLiterals.Ok);
                break;
            case RespCommandId.Client: Client(session, args, output); break;
            case RespCommandId.Get: return data.GetAsync(session, args, output, cancellationToken);
            case RespCommandId.Set: return data.SetAsync(session, args, output, cancellationToken);
            case RespCommandId.SetNx: return data.SetIfAbsentAsync(session, args, output, cancellationToken);
            case RespCommandId.Del or RespCommandId.Unlink: return data.DeleteAsync(session, args, output, cancellationToken);
            case RespCommandId.Exists: return data.ExistsAsync(session, args, output, cancellationToken);
            case RespCommandId.MGet: return data.GetManyAsync(session, args, output, cancellationToken);
            case RespCommandId.DbSize: return data.CountKeysAsync(output, cancellationToken);
            case RespCommandId.Scan: return data.ScanAsync(args, output, cancellationToken);
            case RespCommandId.Wait: return data.WaitAsync(session, args, output, cancellationToken);
            case RespCommandId.Info: server.Info(args, output); break;
            case RespCommandId.Role: server.Role(output); break;
            case RespCommandId.Command: server.Command(args, output); break;
            case RespCommandId.Config: server.Config(args, output); break;
            case RespCommandId.Cluster: WriteError(output, RespErrors.ClusterDisabled); break;
            case RespCommandId.Multi: transactions.Multi(session, output); break;
            case RespCommandId.Exec: return transactions.ExecAsync(session, output, cancellationToken);
            case RespCommandId.Discard: transactions.Discard(session, output); break;
            case RespCommandId.Watch: transactions.Watch(session, args, output); break;
            case RespCommandId.Unwatch: RespTransactions.Unwatch(session, output); break;
            case RespCommandId.HScan or RespCommandId.SScan or RespCommandId.ZScan: return scans.ScanAsync(session, command.Id, args, output, cancellationToken);
            case RespCommandId.Subscribe: pubSub.Subscribe(session, args, output); break;
            case RespCommandId.Unsubscribe: pubSub.Unsubscribe(session, args, output); break;
            case RespCommandId.PSubscribe: pubSub.PatternSubscribe(session, args, output); break;
            case RespCommandId.PUnsubscribe: pubSub.PatternUnsubscribe(session, args, output); break;
            case RespCommandId.Publish: pubSub.Publish(args, output); break;
            default: return plans.RunAsync(session, command, args, output, cancellationToken);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// How a command may run inside a pipeline: writes with short replies may be proposed while earlier ones are
    /// still replicating (the log keeps their order, the connection their replies' order); reads run
    /// one by one but may share a confirmation; anything else runs alone, after everything before it.
    /// SET ... GET answers a value of any size, so it runs alone.
    /// </summary>
    public static RespPipelining PipeliningOf(RespCommandInfo? command, RespArguments args) => command?.Id switch
    {
        RespCommandId.Get or RespCommandId.MGet or RespCommandId.Exists or RespCommandId.StrLen or RespCommandId.Ttl or RespCommandId.PTtl
            or RespCommandId.ExpireTime or RespCommandId.PExpireTime or RespCommandId.Type or RespCommandId.HGet or RespCommandId.HMGet
            or RespCommandId.HGetAll or RespCommandId.HExists or RespCommandId.HLen or RespCommandId.HKeys or RespCommandId.HVals
            or RespCommandId.LRange or RespCommandId.LLen or RespCommandId.LIndex or RespCommandId.SMembers or RespCommandId.SIsMember
            or RespCommandId.SMIsMember or RespCommandId.SCard or RespCommandId.ZScore or RespCommandId.ZMScore or RespCommandId.ZCard
            or RespCommandId.ZCount or RespCommandId.ZLexCount or RespCommandId.ZRank or RespCommandId.ZRevRank or RespCommandId.ZRange
            or RespCommandId.ZRevRange or RespCommandId.ZRangeByScore or RespCommandId.ZRevRangeByScore or RespCommandId.ZRangeByLex
            or RespCommandId.ZRevRangeByLex => RespPipelining.Read,
        RespCommandId.Set => HasGetOption(args) ? RespPipelining.Alone : RespPipelining.Write,
        RespCommandId.SetNx or RespCommandId.Del or RespCommandId.Unlink or RespCommandId.MSet or RespCommandId.MSetNx or RespCommandId.SetEx
            or RespCommandId.PSetEx or RespCommandId.Append or RespCommandId.Incr or RespCommandId.Decr or RespCommandId.IncrBy
            or RespCommandId.DecrBy or RespCommandId.IncrByFloat or RespCommandId.Expire or RespCommandId.PExpire or RespCommandId.ExpireAt
            or RespCommandId.PExpireAt or RespCommandId.Persist or RespCommandId.HSet or RespCommandId.HMSet or RespCommandId.HSetNx
            or RespCommandId.HDel or RespCommandId.HIncrBy or RespCommandId.LPush or RespCommandId.RPush or RespCommandId.LRem
            or RespCommandId.LSet or RespCommandId.LTrim or RespCommandId.SAdd or RespCommandId.SRem or RespCommandId.ZAdd
            or RespCommandId.ZIncrBy or RespCommandId.ZRem or RespCommandId.ZRemRangeByRank or RespCommandId.ZRemRangeByScore
            or RespCommandId.ZRemRangeByLex => RespPipelining.Write,
        _ => RespPipelining.Alone,
    };

    private static bool HasGetOption(RespArguments args)
    {
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, RespLiterals.Get))
                return true;
        }
        return false;
    }

    private static void Ping(RespSession session, RespArguments args, IBufferWriter<byte> output)
    {
        if (args.Count > 2)
            WriteError(output, RespErrors.WrongArity("ping"));
        else if (RespPubSubCommands.IsSubscribed(session))
            RespPubSubCommands.Ping(args, output);
        else if (args.Count == 2)
            WriteBulk(output, args[1]);
        else
            WriteRaw(output, RespLiterals.Pong);
    }

    /// <summary><c>HELLO [protover [AUTH user pass] [SETNAME name]]</c>: RESP2 only.</summary>
    private void Hello(RespSession session, RespArguments args, IBufferWriter<byte> output)
    {
        if (args.Count >= 2)
        {
            if (!args.TryInteger(1, out var version))
            {
                WriteError(output, RespErrors.ProtocolVersion);
                return;
            }
            if (version != 2)
            {
                WriteError(output, RespErrors.NoProto);
                return;
            }
        }
        string? name = null;
        for (var i = 2; i < args.Count; i++)
        {
            if (args.Is(i, RespLiterals.Auth) && i + 2 < args.Count)
            {
                if (!authentication.TryHelloAuth(session, args, i + 1, output))
                    return;
                i += 2;
            }
            else if (args.Is(i, RespLiterals.SetName) && i + 1 < args.Count)
            {
                name = args.Text(++i);
                if (!IsValidClientName(name))
                {
                    WriteError(output, RespErrors.ClientName);
                    return;
                }
            }
            else
            {
                WriteError(output, $"ERR Syntax error in HELLO option '{args.Text(i)}'");
                return;
            }
        }
        if (!session.Authenticated)
        {
            WriteError(output, RespErrors.NoAuthHello);
            return;
        }
        if (name is not null)
            session.Name = name;
        server.Hello(session, output);
    }

    private static void Select(RespArguments args, IBufferWriter<byte> output)
    {
        if (!args.TryInteger(1, out var index))
            WriteError(output, RespErrors.NotInteger);
        else if (index != 0)
            WriteError(output, RespErrors.DbIndexOutOfRange);
        else
            WriteRaw(output, RespLiterals.Ok);
    }

    /// <summary><c>CLIENT SETNAME | GETNAME | SETINFO | ID</c>: what client libraries send on connect.</summary>
    private static void Client(RespSession session, RespArguments args, IBufferWriter<byte> output)
    {
        if (args.Is(1, RespLiterals.Id) && args.Count == 2)
            WriteInteger(output, session.Id);
        else if (args.Is(1, RespLiterals.GetName) && args.Count == 2)
        {
            if (session.Name is { Length: > 0 } name)
                WriteBulk(output, name);
            else
                WriteNull(output);
        }
        else if (args.Is(1, RespLiterals.SetName) && args.Count == 3)
        {
            var name = args.Text(2);
            if (!IsValidClientName(name))
                WriteError(output, RespErrors.ClientName);
            else
            {
                session.Name = name;
                WriteRaw(output, RespLiterals.Ok);
            }
        }
        else if (args.Is(1, RespLiterals.SetInfo) && args.Count == 4)
            WriteRaw(output, RespLiterals.Ok);
        else if (args.Is(1, RespLiterals.Id) || args.Is(1, RespLiterals.GetName) || args.Is(1, RespLiterals.SetName) || args.Is(1, RespLiterals.SetInfo))
            WriteError(output, RespErrors.WrongArity("client|" + args.Text(1).ToLowerInvariant()));
        else
            WriteError(output, RespErrors.UnknownSubcommand(args.Text(1), "CLIENT"));
    }

    /// <summary>Redis allows printable ASCII without spaces.</summary>
    private static bool IsValidClientName(string name) => name.All(c => c is > ' ' and <= '~');
}

public enum RespPipelining
{
    Alone,
    Read,
    Write,
}
