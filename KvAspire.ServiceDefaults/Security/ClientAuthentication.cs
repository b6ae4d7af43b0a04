using System.Globalization;
using KvAspire.Contracts;
using KvAspire.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KvAspire.Security;

/// <summary>
/// HTTP side of client authentication: every endpoint needs <c>Authorization: Bearer &lt;secret&gt;</c>
/// except those marked <see cref="IAllowAnonymous"/> (health, alive, metrics). The secret is
/// <c>Auth:Password</c>, unless the endpoint carries another <see cref="Secret"/> as metadata (the
/// node's admin routes carry <c>Admin:Secret</c>). Failures answer an <see cref="ApiError"/> problem.
/// </summary>
public static class ClientAuthentication
{
    private const string Via = "HTTP";

    /// <summary>Binds and validates <c>Auth:</c> and registers <see cref="AccessControl"/>.</summary>
    public static TBuilder AddClientAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var options = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        options.Validate();
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(sp => new AuthThrottle(options.MaxFailures, options.FailureWindow,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddSingleton(sp => new AccessControl(Secret.From($"{AuthOptions.Section}:Password", options.Password),
            sp.GetRequiredService<AuthThrottle>(), sp.GetRequiredService<ILogger<AccessControl>>()));
        return builder;
    }

    /// <summary>Checks every request before its endpoint runs, and says at start which mode applies.</summary>
    public static WebApplication UseClientAuthentication(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<AccessControl>();
        var logger = app.Services.GetRequiredService<ILogger<AccessControl>>();
        if (access.Client.IsSet)
            Log.AuthenticationRequired(logger, access.Client.Setting);
        else
            Log.ProtectedMode(logger, access.Client.Setting);
        app.Use(CheckAsync);
        return app;
    }

    private static Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            return next(context);
        var access = context.RequestServices.GetRequiredService<AccessControl>();
        var secret = endpoint?.Metadata.GetMetadata<Secret>() ?? access.Client;
        var result = access.Check(secret, context.Connection.RemoteIpAddress, BearerToken(context.Request), Via, out var retryAfter);
        return result switch
        {
            AccessResult.Granted => next(context),
            AccessResult.ProtectedMode => WriteAsync(context, StatusCodes.Status403Forbidden, "protected_mode",
                $"{secret.Setting} is not set on this server, so it accepts requests only from the loopback interface; set it and send it as a bearer token"),
            AccessResult.Throttled => Throttled(context, retryAfter),
            AccessResult.Missing => Unauthorized(context, $"this request needs 'Authorization: Bearer <{secret.Setting}>'"),
            _ => Unauthorized(context, $"the bearer token does not match {secret.Setting}"),
        };
    }

    private static Task Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", message);
    }

    private static Task Throttled(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, "too_many_failures",
            "too many failed authentication attempts from this address; retry after the time in Retry-After");
    }

    private static Task WriteAsync(HttpContext context, int status, string error, string detail) =>
        context.WriteProblemAsync(status, new ApiError(error, detail));

    /// <summary>The token of an <c>Authorization: Bearer</c> header; null when there is none.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}
