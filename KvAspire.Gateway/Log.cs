namespace KvAspire.Gateway;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Routing to primary {Primary} (term {Term}), previously {Previous}; learned from {Source}")]
    public static partial void PrimaryChanged(ILogger logger, string primary, long term, string previous, string source);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "No primary known (previously {Previous}; learned from {Source}): commands get 503 until one is elected")]
    public static partial void PrimaryLost(ILogger logger, string previous, string source);

    /// <summary>One line, no stack trace: a node down, restarting or slow is what the gateway is built to ride out.</summary>
    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Node {Node} at {Address} is unreachable: {Reason}")]
    public static partial void NodeUnreachable(ILogger logger, string node, Uri address, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Node {Node} is reachable")]
    public static partial void NodeReachable(ILogger logger, string node);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug,
        Message = "{Responder} answered not_primary; re-sending {Method} {Path} to primary {Primary}")]
    public static partial void ResendingToPrimary(ILogger logger, string responder, string method, string path, string primary);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning,
        Message = "Refused RESP client {Remote}: no primary was reachable within {Wait} (Gateway:RespPrimaryWait)")]
    public static partial void RespNoPrimary(ILogger logger, string? remote, TimeSpan wait);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug,
        Message = "Closed RESP client {Remote}: its primary {Node} is primary no more, so it reconnects to the new one")]
    public static partial void RespClosedOnFailover(ILogger logger, string? remote, string node);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "The primary's RESP endpoint {Address} is unreachable: {Reason}")]
    public static partial void RespPrimaryUnreachable(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information,
        Message = "Watching member {Node} at {Address}: named in the configuration {Source} reported")]
    public static partial void MemberLearnt(ILogger logger, string node, string source, string address);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "No longer watching {Node}: the committed configuration primary {Primary} reported does not hold it")]
    public static partial void MemberDropped(ILogger logger, string node, string primary);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error,
        Message = "Polling node {Node} at {Address} failed unexpectedly; it counts as unreachable and is polled again")]
    public static partial void PollFailed(ILogger logger, Exception exception, string node, Uri address);

    /// <summary>YARP's own line for this is filtered out with its per-request lines (GatewayServices); one line, no stack trace.</summary>
    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Forwarding {Method} {Path} to {Node} failed ({Error}): {Reason}")]
    public static partial void ForwardingFailed(ILogger logger, string method, string path, string node, string error, string? reason);
}
