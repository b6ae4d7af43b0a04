namespace KvAspire.Node.Cluster;

/// <summary>
/// <c>Admin:</c> settings. The admin endpoints (crash, isolate) exist to drill failures; they are off
/// unless <c>Admin:Enabled=true</c>, which the AppHost sets only in Development.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public bool Enabled { get; set; }

    /// <summary>The longest isolation one request may ask for.</summary>
    public TimeSpan MaxIsolation { get; set; } = TimeSpan.FromMinutes(10);

    public void Validate()
    {
        if (MaxIsolation < TimeSpan.FromSeconds(1) || MaxIsolation > TimeSpan.FromHours(1))
            throw new OptionsValidationError("Admin:MaxIsolation", "must be between 1 s and 1 h");
    }
}
