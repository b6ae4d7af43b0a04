using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespPlan;

namespace KvAspire.Node.Api.Resp;

/// <summary>Commands on hashes, lists and sets (sorted sets: <see cref="RespSortedSetPlans"/>). Writes that can grow a key carry <c>Limits:MaxElementsPerKey</c>.</summary>
internal static class RespCollectionPlans
{
    public static RespPlan? Plan(RespCommandId id, RespPlanArgs a) => id switch
    {
        RespCommandId.HSet => HashSet("HSET", a, 0),
        RespCommandId.HMSet => HashSet("HMSET", a, HashOps.ReplyOk),
        RespCommandId.HSetNx => HashSet("HSETNX", a, HashOps.OnlyIfAbsent),
        RespCommandId.HGet => new Read("HGET", ReadOp.HGet, a.Key(1), [a.Member(2)]),
        RespCommandId.HMGet => new Read("HMGET", ReadOp.HMGet, a.Key(1), [.. a.Members(2)]),
        RespCommandId.HGetAll => new Read("HGETALL", ReadOp.HGetAll, a.Key(1), []),
        RespCommandId.HExists => new Read("HEXISTS", ReadOp.HExists, a.Key(1), [a.Member(2)]),
        RespCommandId.HLen => new Read("HLEN", ReadOp.HLen, a.Key(1), []),
        RespCommandId.HKeys => new Read("HKEYS", ReadOp.HKeys, a.Key(1), []),
        RespCommandId.HVals => new Read("HVALS", ReadOp.HVals, a.Key(1), []),
        RespCommandId.HDel => new Write("HDEL", KvCommand.Of(CommandOp.HashDelete, a.Key(1), a.NowMs, [.. a.Members(2)])),
        RespCommandId.HIncrBy => new Write("HINCRBY", KvCommand.Of(CommandOp.HashIncrementBy, a.Key(1), a.NowMs,
            a.MaxElements, a.Member(2), a.LongArg(3))),
        RespCommandId.LPush => Push("LPUSH", ListOps.Head, a),
        RespCommandId.RPush => Push("RPUSH", ListOps.Tail, a),
        RespCommandId.LPop => new Write("LPOP", KvCommand.Of(CommandOp.ListPop, a.Key(1), a.NowMs, CommandArgs.Byte(ListOps.Head),
            CommandArgs.Long(a.PopCount()))),
        RespCommandId.RPop => new Write("RPOP", KvCommand.Of(CommandOp.ListPop, a.Key(1), a.NowMs, CommandArgs.Byte(ListOps.Tail),
            CommandArgs.Long(a.PopCount()))),
        RespCommandId.LRange => new Read("LRANGE", ReadOp.LRange, a.Key(1), [a.LongArg(2), a.LongArg(3)]),
        RespCommandId.LLen => new Read("LLEN", ReadOp.LLen, a.Key(1), []),
        RespCommandId.LIndex => new Read("LINDEX", ReadOp.LIndex, a.Key(1), [a.LongArg(2)]),
        RespCommandId.LRem => new Write("LREM", KvCommand.Of(CommandOp.ListRemove, a.Key(1), a.NowMs, a.LongArg(2), a.Element(3))),
        RespCommandId.LSet => new Write("LSET", KvCommand.Of(CommandOp.ListSet, a.Key(1), a.NowMs, a.LongArg(2), a.Element(3))),
        RespCommandId.LTrim => new Write("LTRIM", KvCommand.Of(CommandOp.ListTrim, a.Key(1), a.NowMs, a.LongArg(2), a.LongArg(3))),
        RespCommandId.SAdd => new Write("SADD", KvCommand.Of(CommandOp.SetAdd, a.Key(1), a.NowMs, [a.MaxElements, .. a.Members(2)])),
        RespCommandId.SRem => new Write("SREM", KvCommand.Of(CommandOp.SetRemove, a.Key(1), a.NowMs, [.. a.Members(2)])),
        RespCommandId.SMembers => new Read("SMEMBERS", ReadOp.SMembers, a.Key(1), []),
        RespCommandId.SIsMember => new Read("SISMEMBER", ReadOp.SIsMember, a.Key(1), [a.Member(2)]),
        RespCommandId.SMIsMember => new Read("SMISMEMBER", ReadOp.SMIsMember, a.Key(1), [.. a.Members(2)]),
        RespCommandId.SCard => new Read("SCARD", ReadOp.SCard, a.Key(1), []),
        RespCommandId.SPop => new RandomMembers(a.Key(1), a.OptionalCount(2), Pop: true),
        RespCommandId.SRandMember => new RandomMembers(a.Key(1), a.Count > 2 ? RandomCount(a) : null, Pop: false),
        _ => null,
    };

    /// <summary><c>HSET key field value [field value ...]</c> and its relatives, which differ in what they answer.</summary>
    private static Write HashSet(string name, RespPlanArgs a, byte flags)
    {
        a.RequireGroupsOf(2, 2, name.ToLowerInvariant());
        // The entry's arguments in one array of the final size: the key's place holds the limit, the name's the flags.
        var args = new ReadOnlyMemory<byte>[a.Count];
        args[0] = a.MaxElements;
        args[1] = CommandArgs.Byte(flags);
        for (var i = 2; i < a.Count; i += 2)
        {
            args[i] = a.Member(i);
            args[i + 1] = a.Element(i + 1);
        }
        return new Write(name, KvCommand.Of(CommandOp.HashSet, a.Key(1), a.NowMs, args));
    }

    private static Write Push(string name, byte end, RespPlanArgs a)
    {
        var args = new List<ReadOnlyMemory<byte>>(a.Count) { a.MaxElements, CommandArgs.Byte(end) };
        for (var i = 2; i < a.Count; i++)
            args.Add(a.Element(i));
        return new Write(name, KvCommand.Of(CommandOp.ListPush, a.Key(1), a.NowMs, [.. args]));
    }

    /// <summary>
    /// SRANDMEMBER's count; a negative one asks for that many members with repeats, which a set of any size can
    /// answer, so it is held to the bound on a key's elements rather than to memory.
    /// </summary>
    private static long RandomCount(RespPlanArgs a)
    {
        var count = a.Long(2);
        var most = a.Limits.MaxElementsPerKey;
        return count >= -most ? count
            : throw new RespRefusal($"ERR SRANDMEMBER answers at most {most} members with repeats, the limit (Limits:MaxElementsPerKey)");
    }
}
