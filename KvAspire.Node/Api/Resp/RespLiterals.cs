namespace KvAspire.Node.Api.Resp;

/// <summary>Every constant protocol byte string in one place: replies and command keywords (upper case).</summary>
internal static class RespLiterals
{
    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    public static ReadOnlySpan<byte> Pong => "+PONG\r\n"u8;
    public static ReadOnlySpan<byte> NullBulk => "$-1\r\n"u8;
    public static ReadOnlySpan<byte> EmptyArray => "*0\r\n"u8;
    public static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    // Keywords compared against arguments, case-insensitively.
    public static ReadOnlySpan<byte> Nx => "NX"u8;
    public static ReadOnlySpan<byte> Xx => "XX"u8;
    public static ReadOnlySpan<byte> Get => "GET"u8;
    public static ReadOnlySpan<byte> Ex => "EX"u8;
    public static ReadOnlySpan<byte> Px => "PX"u8;
    public static ReadOnlySpan<byte> ExAt => "EXAT"u8;
    public static ReadOnlySpan<byte> PxAt => "PXAT"u8;
    public static ReadOnlySpan<byte> KeepTtl => "KEEPTTL"u8;
    public static ReadOnlySpan<byte> Match => "MATCH"u8;
    public static ReadOnlySpan<byte> Count => "COUNT"u8;
    public static ReadOnlySpan<byte> Type => "TYPE"u8;
    public static ReadOnlySpan<byte> Docs => "DOCS"u8;
    public static ReadOnlySpan<byte> Info => "INFO"u8;
    public static ReadOnlySpan<byte> SetName => "SETNAME"u8;
    public static ReadOnlySpan<byte> GetName => "GETNAME"u8;
    public static ReadOnlySpan<byte> SetInfo => "SETINFO"u8;
    public static ReadOnlySpan<byte> Id => "ID"u8;
    public static ReadOnlySpan<byte> Auth => "AUTH"u8;
    public static ReadOnlySpan<byte> String => "STRING"u8;
    public static ReadOnlySpan<byte> Gt => "GT"u8;
    public static ReadOnlySpan<byte> Lt => "LT"u8;
    public static ReadOnlySpan<byte> Persist => "PERSIST"u8;
    public static ReadOnlySpan<byte> NoValues => "NOVALUES"u8;
    public static ReadOnlySpan<byte> Ch => "CH"u8;
    public static ReadOnlySpan<byte> Incr => "INCR"u8;
    public static ReadOnlySpan<byte> WithScores => "WITHSCORES"u8;
    public static ReadOnlySpan<byte> Limit => "LIMIT"u8;
    public static ReadOnlySpan<byte> Rev => "REV"u8;
    public static ReadOnlySpan<byte> ByScore => "BYSCORE"u8;
    public static ReadOnlySpan<byte> ByLex => "BYLEX"u8;
    public static ReadOnlySpan<byte> Queued => "+QUEUED\r\n"u8;
}
