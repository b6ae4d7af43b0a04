namespace KvAspire.Node.Cluster;

/// <summary>
/// <c>Admin:</c> settings. The admin endpoints (crash, isolate) exist to drill failures; they are off
/// unless <c>Admin:Enabled=true</c>, which the AppHost sets only in Development. Every action that
/// changes the cluster (those two and step-down) needs <see cref="Secret"/> as its bearer token.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public bool Enabled { get; set; }

    /// <summary>The admin secret, apart from the client one so that a client cannot crash or isolate nodes. Unset: loopback callers only.</summary>
    public string? Secret { get; set; }

    /// <summary>What admin routes carry as endpoint metadata: client authentication then checks this secret instead.</summary>
    public KvAspire.Security.Secret RequiredSecret() => KvAspire.Security.Secret.From($"{Section}:Secret", Secret);

    /// <summary>The longest isolation one request may ask for.</summary>
    public TimeSpan MaxIsolation { get; set; } = TimeSpan.FromMinutes(10);

    public void Validate()
    {
        if (MaxIsolation < TimeSpan.FromSeconds(1) || MaxIsolation > TimeSpan.FromHours(1))
            throw new OptionsValidationError("Admin:MaxIsolation", "must be between 1 s and 1 h");
    }
}
