namespace KvAspire.Node.Telemetry;

/// <summary>Logs of the operator drills (admin endpoints and peer isolation); EventIds 200 and up.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning,
        Message = "Crash requested through /admin/crash: killing process {ProcessId} as kill -9 would")]
    public static partial void CrashRequested(ILogger logger, int processId);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning,
        Message = "Isolated from every peer for {Duration} (until {Until:O}): peer messages in and out are dropped")]
    public static partial void PeerIsolationStarted(ILogger logger, TimeSpan duration, DateTimeOffset until);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning,
        Message = "Peer isolation ended: peer messages flow again")]
    public static partial void PeerIsolationEnded(ILogger logger);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information,
        Message = "Admin endpoints are {State} (Admin:Enabled)")]
    public static partial void AdminEndpoints(ILogger logger, string state);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning,
        Message = "Link to {Peer} cut for {Duration} (until {Until:O}): messages to it are dropped, its messages still arrive")]
    public static partial void PeerLinkCut(ILogger logger, string peer, TimeSpan duration, DateTimeOffset until);
}
