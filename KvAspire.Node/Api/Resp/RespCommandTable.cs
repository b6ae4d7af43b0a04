namespace KvAspire.Node.Api.Resp;

public enum RespCommandId
{
    Ping, Echo, Hello, Auth, Select, Quit,
    Get, Set, SetNx, Del, Unlink, Exists, MGet, MSet, DbSize, Scan, Wait,
    Info, Role, Command, Config, Client, Cluster,
    Multi, Exec, Discard, Watch, Unwatch,
    Subscribe, Unsubscribe, PSubscribe, PUnsubscribe, Publish,
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
        new(RespCommandId.Set, "set", -3, Write, 1, 1, 1, "string", "Sets the string value of a key through the replication log (NX, XX, GET; no expiry)."),
        new(RespCommandId.SetNx, "setnx", 3, Write, 1, 1, 1, "string", "Sets a key only if it does not exist (1: set, 0: not)."),
        new(RespCommandId.Del, "del", -2, Write, 1, -1, 1, "keyspace", "Deletes keys, one log entry each."),
        new(RespCommandId.Unlink, "unlink", -2, Write, 1, -1, 1, "keyspace", "Deletes keys: the same as DEL here (clients use it from Redis 4 on)."),
        new(RespCommandId.Exists, "exists", -2, ReadOnly, 1, -1, 1, "keyspace", "Counts how many of the keys exist."),
        new(RespCommandId.MGet, "mget", -2, ReadOnly, 1, -1, 1, "string", "Returns the values of several keys."),
        new(RespCommandId.MSet, "mset", -3, Write, 1, -1, 2, "string", "Sets several keys, one log entry each: not atomic."),
        new(RespCommandId.DbSize, "dbsize", 1, ReadOnly, 0, 0, 0, "server", "Returns the number of keys."),
        new(RespCommandId.Scan, "scan", -2, ["readonly"], 0, 0, 0, "generic", "Iterates over the keys (MATCH, COUNT)."),
        new(RespCommandId.Wait, "wait", 3, [], 0, 0, 0, "generic", "Waits until secondaries have this client's last write."),
        new(RespCommandId.Info, "info", -1, ["loading", "stale"], 0, 0, 0, "server", "Server, clients, replication and keyspace information."),
        new(RespCommandId.Role, "role", 1, Fast, 0, 0, 0, "server", "Returns the replication role."),
        new(RespCommandId.Command, "command", -1, ["loading", "stale"], 0, 0, 0, "server", "Describes the commands (COMMAND, COMMAND COUNT, COMMAND DOCS)."),
        new(RespCommandId.Config, "config", -2, Admin, 0, 0, 0, "server", "CONFIG GET of the settings clients ask for."),
        new(RespCommandId.Client, "client", -2, ["noscript"], 0, 0, 0, "connection", "CLIENT SETNAME, GETNAME, SETINFO and ID."),
        new(RespCommandId.Cluster, "cluster", -2, [], 0, 0, 0, "cluster", "Not a Redis Cluster: always refused."),
        new(RespCommandId.Multi, "multi", 1, [], 0, 0, 0, "transactions", "Refused: no transactions."),
        new(RespCommandId.Exec, "exec", 1, [], 0, 0, 0, "transactions", "Refused: no transactions."),
        new(RespCommandId.Discard, "discard", 1, [], 0, 0, 0, "transactions", "Refused: no transactions."),
        new(RespCommandId.Watch, "watch", -2, [], 1, -1, 1, "transactions", "Refused: no transactions."),
        new(RespCommandId.Unwatch, "unwatch", 1, [], 0, 0, 0, "transactions", "Refused: no transactions."),
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
