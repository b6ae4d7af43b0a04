namespace KvAspire.Node.Telemetry;

/// <summary>The RESP endpoint's log lines (event ids 100 and up).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning,
        Message = "Refused RESP client {Remote}: {Max} clients already connected (Resp:MaxClients)")]
    public static partial void RespMaxClients(ILogger logger, string? remote, int max);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Closed RESP client {Id} ({Remote}) after a protocol error: {Error}")]
    public static partial void RespProtocolError(ILogger logger, long id, string? remote, string error);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "Closed RESP client {Id} ({Remote}): {Bytes} bytes buffered exceed Resp:MaxQueryBufferBytes ({Max})")]
    public static partial void RespQueryBufferExceeded(ILogger logger, long id, string? remote, long bytes, int max);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug,
        Message = "Closed RESP client {Id} ({Remote}): idle longer than Resp:IdleTimeout ({Timeout})")]
    public static partial void RespIdleTimeout(ILogger logger, long id, string? remote, TimeSpan timeout);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug,
        Message = "RESP client {Id} ({Remote}) went away")]
    public static partial void RespConnectionLost(ILogger logger, long id, string? remote, Exception exception);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error,
        Message = "RESP client {Id} ({Remote}) closed after an unexpected failure")]
    public static partial void RespConnectionFailed(ILogger logger, long id, string? remote, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning,
        Message = "Refused RESP client {Remote}: protected mode (Auth:Password is not set) serves only loopback clients")]
    public static partial void RespProtectedMode(ILogger logger, string? remote);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information,
        Message = "Closed RESP client {Id} ({Remote}): not authenticated within Resp:AuthTimeout ({Timeout})")]
    public static partial void RespAuthTimeout(ILogger logger, long id, string? remote, TimeSpan timeout);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning,
        Message = "Closed RESP client {Id} ({Remote}): it took none of its replies for Resp:SlowClientTimeout ({Timeout})")]
    public static partial void RespSlowClient(ILogger logger, long id, string? remote, TimeSpan timeout);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning,
        Message = "Closed RESP client {Id} ({Remote}): more than {Max} bytes of published messages waited for it to read")]
    public static partial void RespSubscriberOverflow(ILogger logger, long id, string? remote, long max);

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug,
        Message = "Announced that {Primary} is primary of term {Term} on {Channel} to {Receivers} RESP subscribers (repeat {Repeat})")]
    public static partial void PrimaryAnnounced(ILogger logger, string primary, long term, string channel, int receivers, int repeat);
}
