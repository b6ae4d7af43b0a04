namespace KvAspire.Security;

/// <summary>
/// <c>Auth:</c> settings shared by the node and the gateway. <see cref="Password"/> is the one client
/// secret: RESP <c>AUTH</c>, HTTP <c>Authorization: Bearer</c>, and (on nodes, mixed with the cluster
/// id) the proof peers send each other. Unset, only loopback clients are served (protected mode).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public string? Password { get; set; }

    /// <summary>Failed attempts one client address may make per <see cref="FailureWindow"/> before it is refused outright.</summary>
    public int MaxFailures { get; set; } = 10;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Checks every setting and throws naming the first bad one and its allowed range.</summary>
    public void Validate()
    {
        if (MaxFailures is < 1 or > 1_000_000)
            throw new InvalidOperationException($"Configuration '{Section}:MaxFailures' must be between 1 and 1000000.");
        if (FailureWindow < TimeSpan.FromSeconds(1) || FailureWindow > TimeSpan.FromDays(1))
            throw new InvalidOperationException($"Configuration '{Section}:FailureWindow' must be between 1 s and 1 day.");
    }
}
