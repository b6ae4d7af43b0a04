using KvAspire.Settings;
using Microsoft.Extensions.Options;

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
    [SettingRange("Auth:MaxFailures", 1, 1_000_000)]
    public int MaxFailures { get; set; } = 10;

    [SettingRange("Auth:FailureWindow", typeof(TimeSpan), "00:00:01", "1.00:00:00", Allowed = "between 1 s and 1 day")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The ranges of <see cref="AuthOptions"/>' fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>;
