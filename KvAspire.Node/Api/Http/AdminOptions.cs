using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// <c>Admin:</c> settings. The admin endpoints (crash, isolate) exist to drill failures; they are off
/// unless <c>Admin:Enabled=true</c>, which the AppHost sets only in Development. Every action that
/// changes the cluster (those two and step-down) needs <c>Admin:Secret</c> as its bearer token, apart from the client
/// one so that a client cannot crash or isolate nodes; unset, loopback callers only.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public bool Enabled { get; set; }

    /// <summary>The admin secret. The node's setting, declared with the others; the admin authentication scheme reads the
    /// same key (<see cref="KvAspire.Security.ClientAuthentication.AdminSecretSetting"/>) when it is registered.</summary>
    public string? Secret { get; set; }

    /// <summary>The longest isolation one request may ask for.</summary>
    [SettingRange("Admin:MaxIsolation", typeof(TimeSpan), "00:00:01", "01:00:00", Allowed = "between 1 s and 1 h")]
    public TimeSpan MaxIsolation { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The range of <see cref="AdminOptions.MaxIsolation"/>, from its attribute.</summary>
[OptionsValidator]
internal sealed partial class AdminOptionsValidator : IValidateOptions<AdminOptions>;
