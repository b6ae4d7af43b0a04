namespace KvAspire.Node.StateMachine;

/// <summary>
/// What a command answered, decided where it ran (at apply time for writes, on the primary for reads), in
/// the shapes Redis replies with. Front ends translate it: RESP writes it as is, HTTP maps what it needs.
/// </summary>
public abstract record CommandReply
{
    private CommandReply() { }

    public static readonly CommandReply Ok = new Status("OK");
    public static readonly CommandReply Null = new NullBulk();
    public static readonly CommandReply NullArray = new NullMultiBulk();
    public static readonly CommandReply Zero = new Integer(0);
    public static readonly CommandReply One = new Integer(1);
    public static readonly CommandReply EmptyArray = new Array([]);

    public static CommandReply Of(bool value) => value ? One : Zero;
    public static CommandReply Of(long value) => new Integer(value);
    public static CommandReply Of(byte[]? value) => value is null ? Null : new Bulk(value);
    public static CommandReply Of(IEnumerable<byte[]> values) => new Array(values.Select(v => (CommandReply)new Bulk(v)).ToList());

    public sealed record Status(string Text) : CommandReply;
    public sealed record Integer(long Value) : CommandReply;
    public sealed record Bulk(ReadOnlyMemory<byte> Value) : CommandReply;
    public sealed record NullBulk : CommandReply;
    public sealed record NullMultiBulk : CommandReply;
    public sealed record Array(IReadOnlyList<CommandReply> Items) : CommandReply;
    /// <summary>Nothing changed; <see cref="Message"/> is Redis' error text.</summary>
    public sealed record Error(string Message) : CommandReply;
}

/// <summary>The errors the state machine answers, in Redis' words (clients match on them).</summary>
public static class ReplyErrors
{
    public static readonly CommandReply.Error WrongType = new("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static readonly CommandReply.Error NotInteger = new("ERR value is not an integer or out of range");
    public static readonly CommandReply.Error NotFloat = new("ERR value is not a valid float");
    public static readonly CommandReply.Error Overflow = new("ERR increment or decrement would overflow");
    public static readonly CommandReply.Error NaNOrInfinity = new("ERR increment would produce NaN or Infinity");
    public static readonly CommandReply.Error HashNotInteger = new("ERR hash value is not an integer");
    public static readonly CommandReply.Error NoSuchKey = new("ERR no such key");
    public static readonly CommandReply.Error IndexOutOfRange = new("ERR index out of range");
    public static readonly CommandReply.Error StringTooLong = new("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    public static readonly CommandReply.Error ScoreNaN = new("ERR resulting score is not a number (NaN)");

    public static CommandReply.Error TooManyElements(int limit) =>
        new($"ERR the key would hold more than {limit} elements, the limit (Limits:MaxElementsPerKey); nothing was changed");
}
