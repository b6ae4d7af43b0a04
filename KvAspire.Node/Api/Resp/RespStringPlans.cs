using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespPlan;

namespace KvAspire.Node.Api.Resp;

/// <summary>Commands on string values: SET with its options, counters, APPEND, GETDEL, GETEX, MSETNX and the rest.</summary>
internal static class RespStringPlans
{
    public static RespPlan? Plan(RespCommandId id, RespPlanArgs a) => id switch
    {
        RespCommandId.Get => new Read("GET", ReadOp.Get, a.Key(1), []),
        RespCommandId.MGet => new Read("MGET", ReadOp.MGet, a.Key(1), [.. a.Keys(2).Select(k => (ReadOnlyMemory<byte>)RespPlanArgs.Utf8(k))]),
        RespCommandId.StrLen => new Read("STRLEN", ReadOp.StrLen, a.Key(1), []),
        RespCommandId.Set => Set(a),
        RespCommandId.SetEx => SetExpiring(a, "setex", 1000),
        RespCommandId.PSetEx => SetExpiring(a, "psetex", 1),
        RespCommandId.GetSet => With(CommandOp.SetWithOptions, "GETSET", a.Key(1), a.Value(2), CommandArgs.Long(0), CommandArgs.Byte((byte)SetFlags.Get), a),
        RespCommandId.SetNx => new Write("SETNX", KvCommand.Of(CommandOp.SetManyIfNoneExist, "", a.NowMs, RespPlanArgs.Utf8(a.Key(1)), a.Value(2))),
        RespCommandId.MSet => Pairs(CommandOp.SetMany, "MSET", a),
        RespCommandId.MSetNx => Pairs(CommandOp.SetManyIfNoneExist, "MSETNX", a),
        RespCommandId.Incr => IncrementBy("INCR", a.Key(1), 1, a),
        RespCommandId.Decr => IncrementBy("DECR", a.Key(1), -1, a),
        RespCommandId.IncrBy => IncrementBy("INCRBY", a.Key(1), a.Long(2), a),
        RespCommandId.DecrBy => a.Long(2) == long.MinValue
            ? throw new RespRefusal("ERR decrement would overflow")
            : IncrementBy("DECRBY", a.Key(1), -a.Long(2), a),
        RespCommandId.IncrByFloat => StringOps.TryParseFloat(a.Text(2), out _)
            ? new Write("INCRBYFLOAT", KvCommand.Of(CommandOp.IncrementByFloat, a.Key(1), a.NowMs, RespPlanArgs.Utf8(a.Text(2))))
            : throw new RespRefusal(ReplyErrors.NotFloat.Message),
        RespCommandId.Append => With(CommandOp.Append, "APPEND", a.Key(1), a.Value(2), CommandArgs.Int(a.Limits.MaxValueBytes), null, a),
        RespCommandId.GetDel => new Write("GETDEL", KvCommand.Of(CommandOp.GetDelete, a.Key(1), a.NowMs)),
        RespCommandId.GetEx => GetExpire(a),
        _ => null,
    };

    private static Write IncrementBy(string name, string key, long increment, RespPlanArgs a) =>
        new(name, KvCommand.Of(CommandOp.IncrementBy, key, a.NowMs, CommandArgs.Long(increment)));

    private static Write With(CommandOp op, string name, string key, byte[] value, byte[] arg0, byte[]? arg1, RespPlanArgs a) =>
        new(name, new KvCommand(op, key, value, null, a.NowMs) { Args = arg1 is null ? [arg0] : [arg0, arg1] });

    private static Write Pairs(CommandOp op, string name, RespPlanArgs a)
    {
        a.RequireGroupsOf(2, 1, name.ToLowerInvariant());
        var pairs = new List<ReadOnlyMemory<byte>>(a.Count - 1);
        for (var i = 1; i < a.Count; i += 2)
        {
            pairs.Add(RespPlanArgs.Utf8(a.Key(i)));
            pairs.Add(a.Value(i + 1));
        }
        return new Write(name, KvCommand.Of(op, "", a.NowMs, [.. pairs]));
    }

    /// <summary><c>SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL]</c>.</summary>
    private static Write Set(RespPlanArgs a)
    {
        var flags = SetFlags.None;
        var deadline = 0L;
        var expiry = false;
        for (var i = 3; i < a.Count; i++)
        {
            if (a.Is(i, RespLiterals.Nx) || a.Is(i, RespLiterals.Xx))
            {
                var condition = a.Is(i, RespLiterals.Nx) ? SetFlags.IfAbsent : SetFlags.IfPresent;
                if ((flags & (SetFlags.IfAbsent | SetFlags.IfPresent) & ~condition) != 0)
                    throw new RespRefusal(RespErrors.Syntax);
                flags |= condition;
            }
            else if (a.Is(i, RespLiterals.Get))
                flags |= SetFlags.Get;
            else if (a.Is(i, RespLiterals.KeepTtl) && !expiry)
            {
                flags |= SetFlags.KeepTtl;
                expiry = true;
            }
            else if (ExpiryUnit(a, i) is { } unit && !expiry && i + 1 < a.Count)
            {
                deadline = RespKeyPlans.Deadline(a.Long(++i), unit.Ms, unit.Absolute, a.NowMs, "set", positive: true);
                expiry = true;
            }
            else
                throw new RespRefusal(RespErrors.Syntax);
        }
        var key = a.Key(1);
        var value = a.Value(2);
        return flags == SetFlags.None && deadline == 0
            ? new Write("SET", KvCommand.Set(key, value, null, a.NowMs))
            : With(CommandOp.SetWithOptions, "SET", key, value, CommandArgs.Long(deadline), CommandArgs.Byte((byte)flags), a);
    }

    /// <summary>EX, PX, EXAT or PXAT at <paramref name="index"/>: the unit in milliseconds and whether the time is absolute.</summary>
    private static (long Ms, bool Absolute)? ExpiryUnit(RespPlanArgs a, int index) =>
        a.Is(index, RespLiterals.Ex) ? (1000, false)
        : a.Is(index, RespLiterals.Px) ? (1, false)
        : a.Is(index, RespLiterals.ExAt) ? (1000, true)
        : a.Is(index, RespLiterals.PxAt) ? (1, true)
        : null;

    /// <summary><c>SETEX key seconds value</c>, <c>PSETEX key milliseconds value</c>.</summary>
    private static Write SetExpiring(RespPlanArgs a, string name, long unitMs)
    {
        var key = a.Key(1);
        var deadline = RespKeyPlans.Deadline(a.Long(2), unitMs, absolute: false, a.NowMs, name, positive: true);
        return With(CommandOp.SetWithOptions, name.ToUpperInvariant(), key, a.Value(3), CommandArgs.Long(deadline),
            CommandArgs.Byte((byte)SetFlags.None), a);
    }

    /// <summary><c>GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST]</c>: without an option, a plain read.</summary>
    private static RespPlan GetExpire(RespPlanArgs a)
    {
        var key = a.Key(1);
        if (a.Count == 2)
            return new Read("GETEX", ReadOp.Get, key, []);
        long deadline;
        if (a.Count == 3 && a.Is(2, RespLiterals.Persist))
            deadline = 0;
        else if (a.Count == 4 && ExpiryUnit(a, 2) is { } unit)
            deadline = RespKeyPlans.Deadline(a.Long(3), unit.Ms, unit.Absolute, a.NowMs, "getex", positive: true);
        else
            throw new RespRefusal(RespErrors.Syntax);
        return new Write("GETEX", KvCommand.Of(CommandOp.GetExpire, key, a.NowMs, CommandArgs.Long(deadline)));
    }
}
