using KvAspire.Contracts;
using KvAspire.Settings;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KvAspire.Security;

/// <summary>
/// HTTP authentication of the node and the gateway: two <see cref="SecretAuthenticationHandler"/> schemes, one per
/// secret, and a policy for each. Every endpoint needs the <see cref="ClientPolicy"/> (<c>Auth:Password</c>) unless it
/// names another policy (the node's admin routes: <see cref="AdminPolicy"/>, <c>Admin:Secret</c>) or allows anonymous
/// callers (health, alive, metrics, the peer stream). Refusals answer an <see cref="ApiError"/> problem.
/// </summary>
public static class ClientAuthentication
{
    public const string ClientPolicy = "client-secret";
    public const string AdminPolicy = "admin-secret";
    public const string AdminSecretSetting = "Admin:Secret";
    public const string PasswordSetting = $"{AuthOptions.Section}:Password";

    /// <summary>Binds and validates <c>Auth:</c>, registers <see cref="AccessControl"/>, the two schemes and their policies.</summary>
    public static TBuilder AddClientAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSettings<AuthOptions>(AuthOptions.Section).ValidateWith<AuthOptions, AuthOptionsValidator>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuthOptions>>().Value;
            return new AuthThrottle(options.MaxFailures, options.FailureWindow, sp.GetService<TimeProvider>() ?? TimeProvider.System);
        });
        // The secrets have no rule to pass: read as they are, since the schemes are configured with them here.
        var client = Secret.From(PasswordSetting, builder.Configuration[PasswordSetting]);
        var admin = Secret.From(AdminSecretSetting, builder.Configuration[AdminSecretSetting]);
        builder.Services.AddSingleton(sp => new AccessControl(client, sp.GetRequiredService<AuthThrottle>(),
            sp.GetRequiredService<ILogger<AccessControl>>()));

        // No default scheme: a scheme runs only for an endpoint whose policy names it, so an open endpoint (a probe)
        // never counts a failure against its caller's address.
        builder.Services.AddAuthentication()
            .AddScheme<SecretAuthenticationOptions, SecretAuthenticationHandler>(ClientPolicy, scheme => scheme.Secret = client)
            .AddScheme<SecretAuthenticationOptions, SecretAuthenticationHandler>(AdminPolicy, scheme => scheme.Secret = admin);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ClientPolicy, Require(ClientPolicy))
            .AddPolicy(AdminPolicy, Require(AdminPolicy))
            .SetFallbackPolicy(Require(ClientPolicy));
        return builder;
    }

    /// <summary>Runs the policies before any endpoint, and says at start which mode applies.</summary>
    public static WebApplication UseClientAuthentication(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<AccessControl>();
        var logger = app.Services.GetRequiredService<ILogger<AccessControl>>();
        if (access.Client.IsSet)
            Log.AuthenticationRequired(logger, access.Client.Setting);
        else
            Log.ProtectedMode(logger, access.Client.Setting);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    private static AuthorizationPolicy Require(string scheme) =>
        new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build();
}
