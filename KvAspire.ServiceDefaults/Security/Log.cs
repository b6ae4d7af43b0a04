using System.Net;
using Microsoft.Extensions.Logging;

namespace KvAspire.Security;

/// <summary>Client authentication log lines, shared by node and gateway (event ids 300 and up).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "Failed authentication via {Via} from {Remote}: does not match {Setting}")]
    public static partial void AuthenticationFailed(ILogger logger, string via, IPAddress? remote, string setting);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug,
        Message = "Refused authentication via {Via} from {Remote} unchecked: too many failures, blocked for {RetryAfter}")]
    public static partial void AuthenticationThrottled(ILogger logger, string via, IPAddress? remote, TimeSpan retryAfter);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning,
        Message = "{Setting} is not set: protected mode, clients are accepted only from the loopback interface (health and /metrics stay open)")]
    public static partial void ProtectedMode(ILogger logger, string setting);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information,
        Message = "Clients must authenticate with {Setting} (health and /metrics stay open)")]
    public static partial void AuthenticationRequired(ILogger logger, string setting);
}
