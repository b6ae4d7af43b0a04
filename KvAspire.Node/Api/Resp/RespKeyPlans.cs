using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespPlan;

namespace KvAspire.Node.Api.Resp;

/// <summary>Commands on keys of any kind: deadlines (EXPIRE family, TTL family, PERSIST), TYPE, and DEL, EXISTS as a transaction holds them.</summary>
internal static class RespKeyPlans
{
    public static RespPlan? Plan(RespCommandId id, RespPlanArgs a) => id switch
    {
        RespCommandId.Expire => Expire(a, "expire", 1000, absolute: false),
        RespCommandId.PExpire => Expire(a, "pexpire", 1, absolute: false),
        RespCommandId.ExpireAt => Expire(a, "expireat", 1000, absolute: true),
        RespCommandId.PExpireAt => Expire(a, "pexpireat", 1, absolute: true),
        RespCommandId.Persist => new Write("PERSIST", KvCommand.Of(CommandOp.Persist, a.Key(1), a.NowMs)),
        RespCommandId.Ttl => new Read("TTL", ReadOp.Ttl, a.Key(1), []),
        RespCommandId.PTtl => new Read("PTTL", ReadOp.PTtl, a.Key(1), []),
        RespCommandId.ExpireTime => new Read("EXPIRETIME", ReadOp.ExpireTime, a.Key(1), []),
        RespCommandId.PExpireTime => new Read("PEXPIRETIME", ReadOp.PExpireTime, a.Key(1), []),
        RespCommandId.Type => new Read("TYPE", ReadOp.Type, a.Key(1), []),
        RespCommandId.Del or RespCommandId.Unlink => new Write("DEL", KvCommand.Of(CommandOp.DeleteMany, "", a.NowMs, [.. a.Keys(1).Select(Text)])),
        RespCommandId.Exists => new Read("EXISTS", ReadOp.Exists, a.Key(1), [.. a.Keys(2).Select(Text)]),
        _ => null,
    };

    private static ReadOnlyMemory<byte> Text(string key) => RespPlanArgs.Utf8(key);

    /// <summary><c>EXPIRE key time [NX | XX | GT | LT]</c>; a time already past deletes the key, as in Redis.</summary>
    private static RespPlan Expire(RespPlanArgs a, string name, long unitMs, bool absolute)
    {
        var key = a.Key(1);
        var time = a.Long(2);
        var condition = ExpireCondition.Always;
        for (var i = 3; i < a.Count; i++)
        {
            var next = a.Is(i, RespLiterals.Nx) ? ExpireCondition.IfNone
                : a.Is(i, RespLiterals.Xx) ? ExpireCondition.IfSome
                : a.Is(i, RespLiterals.Gt) ? ExpireCondition.IfLater
                : a.Is(i, RespLiterals.Lt) ? ExpireCondition.IfEarlier
                : throw new RespRefusal($"ERR Unsupported option {a.Text(i)}");
            condition |= next;
        }
        if (condition.HasFlag(ExpireCondition.IfNone) && condition != ExpireCondition.IfNone)
            throw new RespRefusal("ERR NX and XX, GT or LT options at the same time are not compatible");
        if (condition.HasFlag(ExpireCondition.IfLater | ExpireCondition.IfEarlier))
            throw new RespRefusal("ERR GT and LT options at the same time are not compatible");
        var deadline = Deadline(time, unitMs, absolute, a.NowMs, name, positive: false);
        return new Write(name.ToUpperInvariant(), KvCommand.Of(CommandOp.Expire, key, a.NowMs,
            CommandArgs.Long(deadline), CommandArgs.Byte((byte)condition)));
    }

    /// <summary>
    /// The absolute deadline in Unix milliseconds that a relative or absolute time in <paramref name="unitMs"/> units
    /// means, decided here on the primary so applying it never reads a clock. Never 0, which stands for "no deadline":
    /// a time at or before the epoch is simply long past.
    /// </summary>
    /// <param name="positive">SET, SETEX and GETEX refuse a time that is not positive; EXPIRE takes it as "delete now".</param>
    public static long Deadline(long time, long unitMs, bool absolute, long nowMs, string command, bool positive)
    {
        var invalid = new RespRefusal($"ERR invalid expire time in '{command}' command");
        if (positive && time <= 0 || time > long.MaxValue / unitMs || time < long.MinValue / unitMs)
            throw invalid;
        var ms = time * unitMs;
        if (!absolute && (ms > 0 ? nowMs > long.MaxValue - ms : nowMs < long.MinValue - ms))
            throw invalid;
        return Math.Max(1, absolute ? ms : nowMs + ms);
    }
}
