using System.Buffers;
using System.Text;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Error replies, without the leading <c>-</c> and trailing CRLF. Where Redis has the same error,
/// the text is Redis' own, word for word, because clients match on it.
/// </summary>
internal static class RespErrors
{
    public const string Syntax = "ERR syntax error";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string InvalidCursor = "ERR invalid cursor";
    public const string TimeoutNegative = "ERR timeout is negative";
    public const string MaxClients = "ERR max number of clients reached";
    public const string NoPassword =
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
    public const string NoProto = "NOPROTO unsupported protocol version";
    public const string ProtocolVersion = "ERR Protocol version is not an integer or out of range";
    public const string ClientName = "ERR Client names cannot contain spaces, newlines or special characters.";
    public const string ClusterDisabled = "ERR This instance has cluster support disabled";
    public const string WaitOnReplica =
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";

    public const string InvalidMultibulkLength = "ERR Protocol error: invalid multibulk length";
    public const string InvalidBulkLength = "ERR Protocol error: invalid bulk length";
    public const string TooBigInline = "ERR Protocol error: too big inline request";
    public const string TooBigMultibulkCount = "ERR Protocol error: too big mbulk count string";
    public const string TooBigBulkCount = "ERR Protocol error: too big bulk count string";
    public const string UnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request";
    public const string UnauthenticatedMultibulkLength = "ERR Protocol error: unauthenticated multibulk length";
    public const string UnauthenticatedBulkLength = "ERR Protocol error: unauthenticated bulk length";

    public const string NoAuth = "NOAUTH Authentication required.";
    public const string NoAuthHello =
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";
    /// <summary>Redis' protected-mode refusal, with KvAspire's setting in place of Redis' remedies.</summary>
    public const string Denied =
        "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. Set Auth:Password on every node to accept clients from other computers.";

    // KvAspire's own refusals: what is not supported, and why.
    public const string EmptyKey = "ERR KvAspire does not store empty keys";
    public const string KeyNotUtf8 = "ERR KvAspire keys must be valid UTF-8";
    public const string PrimaryLost =
        "ERR the primary changed before the write was acknowledged; it may or may not have been applied";
    public const string Overloaded =
        "ERR overloaded: the primary has more requests queued than it takes at once; nothing was done, retry shortly";
    public const string NotReady = "LOADING this primary was just elected and is still applying earlier entries; retry shortly";

    public static string TooManyAuthFailures(TimeSpan retryAfter) =>
        $"ERR too many failed authentication attempts from this address; retry in {Math.Ceiling(retryAfter.TotalSeconds):0} s";

    public static string ExpectedDollar(byte got) => $"ERR Protocol error: expected '$', got '{(char)got}'";

    public static string WrongArity(string command) => $"ERR wrong number of arguments for '{command}' command";

    public static string UnknownSubcommand(string subcommand, string command) =>
        $"ERR unknown subcommand '{Truncate(subcommand)}'. Try {command} HELP.";

    /// <summary>
    /// Redis' text, built as Redis builds it: the name cut to 128 bytes, then each argument quoted and
    /// cut so the quoted list stops once it reaches 128 bytes. Bytes, not characters: an argument cut
    /// inside a UTF-8 character ends in U+FFFD.
    /// </summary>
    public static string UnknownCommand(RespArguments args)
    {
        const int Limit = 128;
        var quoted = new StringBuilder();
        var quotedBytes = 0;
        for (var i = 1; i < args.Count && quotedBytes < Limit; i++)
        {
            var argument = Prefix(args[i], Limit - quotedBytes);
            quoted.Append('\'').Append(Encoding.UTF8.GetString(argument)).Append("' ");
            quotedBytes += (int)argument.Length + 3;
        }
        return $"ERR unknown command '{Encoding.UTF8.GetString(Prefix(args[0], Limit))}', with args beginning with: {quoted}";
    }

    public static string TimedOut(TimeSpan after) =>
        $"NOREPLICAS the write was not acknowledged by a quorum within {after.TotalSeconds:0.#} s; it may still be applied";

    private static string Truncate(string text) => text.Length <= 128 ? text : text[..128];

    private static ReadOnlySequence<byte> Prefix(ReadOnlySequence<byte> bytes, int max) => bytes.Length <= max ? bytes : bytes.Slice(0, max);
}
