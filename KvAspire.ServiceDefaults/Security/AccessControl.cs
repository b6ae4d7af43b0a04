using System.Net;
using Microsoft.Extensions.Logging;

namespace KvAspire.Security;

public enum AccessResult
{
    Granted,
    /// <summary>Nothing was presented where a secret is required; not counted as a failed attempt.</summary>
    Missing,
    /// <summary>A wrong secret (or user): counted against the client's address and logged.</summary>
    WrongSecret,
    /// <summary>The secret is unset and the client is not on loopback (Redis' protected mode).</summary>
    ProtectedMode,
    /// <summary>The address used up its failures for this window; the presented value was not even looked at.</summary>
    Throttled,
}

/// <summary>
/// The one decision every front end (RESP, the node's and the gateway's HTTP) makes about a client:
/// with a secret set, the presented value must match it; with none, only loopback clients get in.
/// Failures are logged and throttled per client address here, whichever protocol they came by.
/// </summary>
public sealed class AccessControl(Secret client, AuthThrottle throttle, ILogger<AccessControl> logger)
{
    /// <summary>The client secret (<c>Auth:Password</c>).</summary>
    public Secret Client => client;

    /// <summary>
    /// Checks <paramref name="presented"/> (null: nothing sent) against <paramref name="secret"/> for a
    /// client at <paramref name="remote"/>; <paramref name="via"/> names the path for the log.
    /// </summary>
    public AccessResult Check(Secret secret, IPAddress? remote, string? presented, string via, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!secret.IsSet)
            return IsLocal(remote) ? AccessResult.Granted : AccessResult.ProtectedMode;
        if (throttle.IsBlocked(remote, out retryAfter))
        {
            Log.AuthenticationThrottled(logger, via, remote, retryAfter);
            return AccessResult.Throttled;
        }
        if (presented is null)
            return AccessResult.Missing;
        if (secret.Matches(presented))
            return AccessResult.Granted;
        Fail(secret, remote, via);
        return AccessResult.WrongSecret;
    }

    /// <summary>Records a failed attempt that never reached a comparison (e.g. an unknown RESP user).</summary>
    public void Fail(Secret secret, IPAddress? remote, string via)
    {
        throttle.Failed(remote);
        Log.AuthenticationFailed(logger, via, remote, secret.Setting);
    }

    /// <summary>
    /// Loopback, or no IP address at all (an in-memory test server or a Unix socket: nothing from the network).
    /// IPv4 clients of a dual-stack listener arrive as ::ffff:a.b.c.d, so those are unmapped first.
    /// </summary>
    public static bool IsLocal(IPAddress? remote) =>
        remote is null || IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
}
