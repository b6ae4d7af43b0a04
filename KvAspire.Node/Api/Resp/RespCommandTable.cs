namespace KvAspire.Node.Api.Resp;

public enum RespCommandId
{
    Ping, Echo, Hello, Auth, Select, Quit,
    Get, Set, SetNx, Del, Unlink, Exists, MGet, MSet, DbSize, Scan, Wait,
    Info, Role, Command, Config, Client, Cluster,
    Multi, Exec, Discard, Watch, Unwatch,
    Subscribe, Unsubscribe, PSubscribe, PUnsubscribe, Publish,
    SetEx, PSetEx, GetSet, GetDel, GetEx, StrLen, Append, Incr, Decr, IncrBy, DecrBy, IncrByFloat, MSetNx,
    Expire, PExpire, ExpireAt, PExpireAt, Ttl, PTtl, ExpireTime, PExpireTime, Persist, Type,
    HSet, HMSet, HSetNx, HGet, HMGet, HGetAll, HDel, HExists, HLen, HKeys, HVals, HIncrBy, HScan,
    LPush, RPush, LPop, RPop, LRange, LLen, LIndex, LRem, LSet, LTrim,
    SAdd, SRem, SMembers, SIsMember, SMIsMember, SCard, SPop, SRandMember, SScan,
    ZAdd, ZIncrBy, ZRem, ZPopMin, ZPopMax, ZRemRangeByRank, ZRemRangeByScore, ZRemRangeByLex, ZScore, ZMScore, ZCard, ZCount, ZLexCount,
    ZRank, ZRevRank, ZRange, ZRevRange, ZRangeByScore, ZRevRangeByScore, ZRangeByLex, ZRevRangeByLex, ZScan,
}

/// <summary>
/// One command as <c>COMMAND</c> describes it. <see cref="Arity"/> counts the name: positive means
/// exactly that many items, negative means at least that many (Redis' convention).
/// </summary>
public sealed record RespCommandInfo(RespCommandId Id, string Name, int Arity, string[] Flags, int FirstKey, int LastKey, int Step,
    string Group, string Summary)
{
    public bool AcceptsArity(int count) => Arity >= 0 ? count == Arity : count >= -Arity;
}

/// <summary>The commands this node understands, looked up by name without allocating.</summary>
public static class RespCommandTable
{
    private static readonly string[] Write = ["write"];
    private static readonly string[] ReadOnly = ["readonly", "fast"];
    private static readonly string[] Fast = ["fast"];
    private static readonly string[] Admin = ["admin", "noscript"];
    private static readonly string[] PubSub = ["pubsub", "noscript", "loading", "stale"];

    public static readonly IReadOnlyList<RespCommandInfo> All =
    [
        new(RespCommandId.Ping, "ping", -1, Fast, 0, 0, 0, "connection", "Returns the server's liveliness response."),
        new(RespCommandId.Echo, "echo", 2, Fast, 0, 0, 0, "connection", "Returns the given string."),
        new(RespCommandId.Hello, "hello", -1, Fast, 0, 0, 0, "connection", "Handshakes with the server (RESP2 only)."),
        new(RespCommandId.Auth, "auth", -2, Fast, 0, 0, 0, "connection", "Authenticates the connection as the default user (Auth:Password)."),
        new(RespCommandId.Select, "select", 2, Fast, 0, 0, 0, "connection", "Changes the selected database (only 0 exists)."),
        new(RespCommandId.Quit, "quit", -1, Fast, 0, 0, 0, "connection", "Closes the connection."),
        new(RespCommandId.Get, "get", 2, ReadOnly, 1, 1, 1, "string", "Returns the string value of a key (primary only)."),
        new(RespCommandId.Set, "set", -3, Write, 1, 1, 1, "string", "Sets the string value of a key through the replication log (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL)."),
        new(RespCommandId.SetNx, "setnx", 3, Write, 1, 1, 1, "string", "Sets a key only if it does not exist (1: set, 0: not)."),
        new(RespCommandId.Del, "del", -2, Write, 1, -1, 1, "keyspace", "Deletes keys, one log entry each."),
        new(RespCommandId.Unlink, "unlink", -2, Write, 1, -1, 1, "keyspace", "Deletes keys: the same as DEL here (clients use it from Redis 4 on)."),
        new(RespCommandId.Exists, "exists", -2, ReadOnly, 1, -1, 1, "keyspace", "Counts how many of the keys exist."),
        new(RespCommandId.MGet, "mget", -2, ReadOnly, 1, -1, 1, "string", "Returns the values of several keys."),
        new(RespCommandId.MSet, "mset", -3, Write, 1, -1, 2, "string", "Sets several keys at once, in one log entry."),
        new(RespCommandId.DbSize, "dbsize", 1, ReadOnly, 0, 0, 0, "server", "Returns the number of keys."),
        new(RespCommandId.Scan, "scan", -2, ["readonly"], 0, 0, 0, "generic", "Iterates over the keys (MATCH, COUNT)."),
        new(RespCommandId.Wait, "wait", 3, [], 0, 0, 0, "generic", "Waits until secondaries have this client's last write."),
        new(RespCommandId.Info, "info", -1, ["loading", "stale"], 0, 0, 0, "server", "Server, clients, replication and keyspace information."),
        new(RespCommandId.Role, "role", 1, Fast, 0, 0, 0, "server", "Returns the replication role."),
        new(RespCommandId.Command, "command", -1, ["loading", "stale"], 0, 0, 0, "server", "Describes the commands (COMMAND, COMMAND COUNT, COMMAND DOCS)."),
        new(RespCommandId.Config, "config", -2, Admin, 0, 0, 0, "server", "CONFIG GET of the settings clients ask for."),
        new(RespCommandId.Client, "client", -2, ["noscript"], 0, 0, 0, "connection", "CLIENT SETNAME, GETNAME, SETINFO and ID."),
        new(RespCommandId.Cluster, "cluster", -2, [], 0, 0, 0, "cluster", "Not a Redis Cluster: always refused."),
        new(RespCommandId.Multi, "multi", 1, [], 0, 0, 0, "transactions", "Starts a transaction: commands are queued until EXEC."),
        new(RespCommandId.Exec, "exec", 1, [], 0, 0, 0, "transactions", "Runs the queued commands as one log entry, unless a watched key changed."),
        new(RespCommandId.Discard, "discard", 1, [], 0, 0, 0, "transactions", "Drops the queued commands."),
        new(RespCommandId.Watch, "watch", -2, [], 1, -1, 1, "transactions", "Makes EXEC abort if one of the keys changes first."),
        new(RespCommandId.Unwatch, "unwatch", 1, [], 0, 0, 0, "transactions", "Forgets the watched keys."),
        new(RespCommandId.SetEx, "setex", 4, Write, 1, 1, 1, "string", "Sets a value that expires after some seconds."),
        new(RespCommandId.PSetEx, "psetex", 4, Write, 1, 1, 1, "string", "Sets a value that expires after some milliseconds."),
        new(RespCommandId.GetSet, "getset", 3, Write, 1, 1, 1, "string", "Sets a value and returns the previous one."),
        new(RespCommandId.GetDel, "getdel", 2, Write, 1, 1, 1, "string", "Returns a value and deletes its key."),
        new(RespCommandId.GetEx, "getex", -2, Write, 1, 1, 1, "string", "Returns a value and changes its expiry (EX, PX, EXAT, PXAT, PERSIST)."),
        new(RespCommandId.StrLen, "strlen", 2, ReadOnly, 1, 1, 1, "string", "Returns the length of a value."),
        new(RespCommandId.Append, "append", 3, Write, 1, 1, 1, "string", "Appends to a value."),
        new(RespCommandId.Incr, "incr", 2, Write, 1, 1, 1, "string", "Adds one to an integer value, decided when the entry is applied."),
        new(RespCommandId.Decr, "decr", 2, Write, 1, 1, 1, "string", "Subtracts one from an integer value."),
        new(RespCommandId.IncrBy, "incrby", 3, Write, 1, 1, 1, "string", "Adds to an integer value."),
        new(RespCommandId.DecrBy, "decrby", 3, Write, 1, 1, 1, "string", "Subtracts from an integer value."),
        new(RespCommandId.IncrByFloat, "incrbyfloat", 3, Write, 1, 1, 1, "string", "Adds to a floating-point value."),
        new(RespCommandId.MSetNx, "msetnx", -3, Write, 1, -1, 2, "string", "Sets several keys in one log entry, only if none of them exists."),
        new(RespCommandId.Expire, "expire", -3, Write, 1, 1, 1, "generic", "Sets a key's time to live in seconds (NX, XX, GT, LT)."),
        new(RespCommandId.PExpire, "pexpire", -3, Write, 1, 1, 1, "generic", "Sets a key's time to live in milliseconds."),
        new(RespCommandId.ExpireAt, "expireat", -3, Write, 1, 1, 1, "generic", "Sets a key's deadline as a Unix time in seconds."),
        new(RespCommandId.PExpireAt, "pexpireat", -3, Write, 1, 1, 1, "generic", "Sets a key's deadline as a Unix time in milliseconds."),
        new(RespCommandId.Ttl, "ttl", 2, ReadOnly, 1, 1, 1, "generic", "Returns a key's time to live in seconds."),
        new(RespCommandId.PTtl, "pttl", 2, ReadOnly, 1, 1, 1, "generic", "Returns a key's time to live in milliseconds."),
        new(RespCommandId.ExpireTime, "expiretime", 2, ReadOnly, 1, 1, 1, "generic", "Returns a key's deadline as a Unix time in seconds."),
        new(RespCommandId.PExpireTime, "pexpiretime", 2, ReadOnly, 1, 1, 1, "generic", "Returns a key's deadline as a Unix time in milliseconds."),
        new(RespCommandId.Persist, "persist", 2, Write, 1, 1, 1, "generic", "Removes a key's deadline."),
        new(RespCommandId.Type, "type", 2, ReadOnly, 1, 1, 1, "generic", "Returns the kind of value a key holds."),
        new(RespCommandId.HSet, "hset", -4, Write, 1, 1, 1, "hash", "Sets fields of a hash."),
        new(RespCommandId.HMSet, "hmset", -4, Write, 1, 1, 1, "hash", "Sets fields of a hash (answers OK)."),
        new(RespCommandId.HSetNx, "hsetnx", 4, Write, 1, 1, 1, "hash", "Sets a field of a hash only if it does not exist."),
        new(RespCommandId.HGet, "hget", 3, ReadOnly, 1, 1, 1, "hash", "Returns a field of a hash."),
        new(RespCommandId.HMGet, "hmget", -3, ReadOnly, 1, 1, 1, "hash", "Returns fields of a hash."),
        new(RespCommandId.HGetAll, "hgetall", 2, ["readonly"], 1, 1, 1, "hash", "Returns every field and value of a hash."),
        new(RespCommandId.HDel, "hdel", -3, Write, 1, 1, 1, "hash", "Deletes fields of a hash."),
        new(RespCommandId.HExists, "hexists", 3, ReadOnly, 1, 1, 1, "hash", "Whether a hash has a field."),
        new(RespCommandId.HLen, "hlen", 2, ReadOnly, 1, 1, 1, "hash", "Returns the number of fields of a hash."),
        new(RespCommandId.HKeys, "hkeys", 2, ["readonly"], 1, 1, 1, "hash", "Returns the fields of a hash."),
        new(RespCommandId.HVals, "hvals", 2, ["readonly"], 1, 1, 1, "hash", "Returns the values of a hash."),
        new(RespCommandId.HIncrBy, "hincrby", 4, Write, 1, 1, 1, "hash", "Adds to an integer field of a hash."),
        new(RespCommandId.HScan, "hscan", -3, ["readonly"], 1, 1, 1, "hash", "Iterates over a hash's fields (MATCH, COUNT, NOVALUES)."),
        new(RespCommandId.LPush, "lpush", -3, Write, 1, 1, 1, "list", "Prepends elements to a list."),
        new(RespCommandId.RPush, "rpush", -3, Write, 1, 1, 1, "list", "Appends elements to a list."),
        new(RespCommandId.LPop, "lpop", -2, Write, 1, 1, 1, "list", "Removes and returns the first elements of a list."),
        new(RespCommandId.RPop, "rpop", -2, Write, 1, 1, 1, "list", "Removes and returns the last elements of a list."),
        new(RespCommandId.LRange, "lrange", 4, ["readonly"], 1, 1, 1, "list", "Returns a range of a list."),
        new(RespCommandId.LLen, "llen", 2, ReadOnly, 1, 1, 1, "list", "Returns the length of a list."),
        new(RespCommandId.LIndex, "lindex", 3, ["readonly"], 1, 1, 1, "list", "Returns an element of a list by its index."),
        new(RespCommandId.LRem, "lrem", 4, Write, 1, 1, 1, "list", "Removes elements equal to a value from a list."),
        new(RespCommandId.LSet, "lset", 4, Write, 1, 1, 1, "list", "Sets an element of a list by its index."),
        new(RespCommandId.LTrim, "ltrim", 4, Write, 1, 1, 1, "list", "Keeps only a range of a list."),
        new(RespCommandId.SAdd, "sadd", -3, Write, 1, 1, 1, "set", "Adds members to a set."),
        new(RespCommandId.SRem, "srem", -3, Write, 1, 1, 1, "set", "Removes members from a set."),
        new(RespCommandId.SMembers, "smembers", 2, ["readonly"], 1, 1, 1, "set", "Returns the members of a set."),
        new(RespCommandId.SIsMember, "sismember", 3, ReadOnly, 1, 1, 1, "set", "Whether a value is a member of a set."),
        new(RespCommandId.SMIsMember, "smismember", -3, ReadOnly, 1, 1, 1, "set", "Whether each value is a member of a set."),
        new(RespCommandId.SCard, "scard", 2, ReadOnly, 1, 1, 1, "set", "Returns the number of members of a set."),
        new(RespCommandId.SPop, "spop", -2, Write, 1, 1, 1, "set", "Removes and returns random members (chosen on the primary)."),
        new(RespCommandId.SRandMember, "srandmember", -2, ["readonly"], 1, 1, 1, "set", "Returns random members (chosen on the primary)."),
        new(RespCommandId.SScan, "sscan", -3, ["readonly"], 1, 1, 1, "set", "Iterates over a set's members (MATCH, COUNT)."),
        new(RespCommandId.ZAdd, "zadd", -4, Write, 1, 1, 1, "sorted_set", "Adds members to a sorted set or changes their scores (NX, XX, GT, LT, CH, INCR)."),
        new(RespCommandId.ZIncrBy, "zincrby", 4, Write, 1, 1, 1, "sorted_set", "Adds to the score of a member of a sorted set."),
        new(RespCommandId.ZRem, "zrem", -3, Write, 1, 1, 1, "sorted_set", "Removes members from a sorted set."),
        new(RespCommandId.ZPopMin, "zpopmin", -2, Write, 1, 1, 1, "sorted_set", "Removes and returns the members with the lowest scores."),
        new(RespCommandId.ZPopMax, "zpopmax", -2, Write, 1, 1, 1, "sorted_set", "Removes and returns the members with the highest scores."),
        new(RespCommandId.ZRemRangeByRank, "zremrangebyrank", 4, Write, 1, 1, 1, "sorted_set", "Removes the members within a range of ranks."),
        new(RespCommandId.ZRemRangeByScore, "zremrangebyscore", 4, Write, 1, 1, 1, "sorted_set", "Removes the members within a range of scores."),
        new(RespCommandId.ZRemRangeByLex, "zremrangebylex", 4, Write, 1, 1, 1, "sorted_set", "Removes the members within a range of members (of equal scores)."),
        new(RespCommandId.ZScore, "zscore", 3, ReadOnly, 1, 1, 1, "sorted_set", "Returns the score of a member of a sorted set."),
        new(RespCommandId.ZMScore, "zmscore", -3, ReadOnly, 1, 1, 1, "sorted_set", "Returns the scores of members of a sorted set."),
        new(RespCommandId.ZCard, "zcard", 2, ReadOnly, 1, 1, 1, "sorted_set", "Returns the number of members of a sorted set."),
        new(RespCommandId.ZCount, "zcount", 4, ReadOnly, 1, 1, 1, "sorted_set", "Counts the members within a range of scores."),
        new(RespCommandId.ZLexCount, "zlexcount", 4, ReadOnly, 1, 1, 1, "sorted_set", "Counts the members within a range of members (of equal scores)."),
        new(RespCommandId.ZRank, "zrank", 3, ReadOnly, 1, 1, 1, "sorted_set", "Returns the rank of a member, from the lowest score."),
        new(RespCommandId.ZRevRank, "zrevrank", 3, ReadOnly, 1, 1, 1, "sorted_set", "Returns the rank of a member, from the highest score."),
        new(RespCommandId.ZRange, "zrange", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members by rank, score or member (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES)."),
        new(RespCommandId.ZRevRange, "zrevrange", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members by rank, from the highest score."),
        new(RespCommandId.ZRangeByScore, "zrangebyscore", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members within a range of scores."),
        new(RespCommandId.ZRevRangeByScore, "zrevrangebyscore", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members within a range of scores, highest first."),
        new(RespCommandId.ZRangeByLex, "zrangebylex", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members within a range of members (of equal scores)."),
        new(RespCommandId.ZRevRangeByLex, "zrevrangebylex", -4, ["readonly"], 1, 1, 1, "sorted_set", "Returns members within a range of members, in reverse order."),
        new(RespCommandId.ZScan, "zscan", -3, ["readonly"], 1, 1, 1, "sorted_set", "Iterates over a sorted set's members and scores (MATCH, COUNT)."),
        new(RespCommandId.Subscribe, "subscribe", -2, PubSub, 0, 0, 0, "pubsub", "Listens to channels on this node (KvAspire announces primary changes on __Booksleeve_MasterChanged)."),
        new(RespCommandId.Unsubscribe, "unsubscribe", -1, PubSub, 0, 0, 0, "pubsub", "Stops listening to channels (all of them without arguments)."),
        new(RespCommandId.PSubscribe, "psubscribe", -2, PubSub, 0, 0, 0, "pubsub", "Listens to the channels matching glob patterns on this node."),
        new(RespCommandId.PUnsubscribe, "punsubscribe", -1, PubSub, 0, 0, 0, "pubsub", "Stops listening to patterns (all of them without arguments)."),
        new(RespCommandId.Publish, "publish", 3, ["pubsub", "loading", "stale", "fast"], 0, 0, 0, "pubsub", "Posts a message to this node's subscribers of a channel; not replicated."),
    ];

    /// <summary>Longer than every name: anything longer is unknown without looking.</summary>
    public const int MaxNameLength = 16;

    private static readonly Dictionary<string, RespCommandInfo> ByName = All.ToDictionary(c => c.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, RespCommandInfo>.AlternateLookup<ReadOnlySpan<char>> ByLowerName =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Finds the command named by item 0 of <paramref name="arguments"/>; null when unknown.</summary>
    public static RespCommandInfo? Find(RespArguments arguments)
    {
        Span<char> name = stackalloc char[MaxNameLength];
        return arguments.TryName(name, out var length) && ByLowerName.TryGetValue(name[..length], out var info) ? info : null;
    }

    public static RespCommandInfo? Find(string name) => ByName.GetValueOrDefault(name.ToLowerInvariant());
}
