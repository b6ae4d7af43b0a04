using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using KvAspire.Contracts;
using KvAspire.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KvAspire.Security;

/// <summary>The secret one scheme checks: <c>Auth:Password</c> for clients, <c>Admin:Secret</c> for admin actions.</summary>
public sealed class SecretAuthenticationOptions : AuthenticationSchemeOptions
{
    public Secret Secret { get; set; } = Secret.From("(unset)", null);
}

/// <summary>
/// <c>Authorization: Bearer &lt;secret&gt;</c> checked by <see cref="AccessControl"/>, so HTTP shares RESP's protected
/// mode, failure log and per-address throttle. A refusal is answered as an <see cref="ApiError"/> problem: 401
/// <c>unauthorized</c> (nothing sent, or the wrong secret), 403 <c>protected_mode</c> (no secret configured and the
/// caller is not on loopback), 429 <c>too_many_failures</c> (this address used up its attempts).
/// </summary>
public sealed class SecretAuthenticationHandler(IOptionsMonitor<SecretAuthenticationOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, AccessControl access) : AuthenticationHandler<SecretAuthenticationOptions>(options, logger, encoder)
{
    private const string Via = "HTTP";
    private const string BearerPrefix = "Bearer ";

    // The handler lives for one request: what HandleAuthenticateAsync found is what the challenge answers.
    private AccessResult _result = AccessResult.Missing;
    private TimeSpan _retryAfter;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = Options.Secret;
        _result = access.Check(secret, Context.Connection.RemoteIpAddress, BearerToken(), Via, out _retryAfter);
        return Task.FromResult(_result switch
        {
            AccessResult.Granted => AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, secret.Setting)], Scheme.Name)), Scheme.Name)),
            AccessResult.Missing => AuthenticateResult.NoResult(),
            var refused => AuthenticateResult.Fail($"{refused}: {secret.Setting}"),
        });
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var setting = Options.Secret.Setting;
        switch (_result)
        {
            case AccessResult.ProtectedMode:
                return Context.WriteProblemAsync(StatusCodes.Status403Forbidden, new ApiError("protected_mode",
                    $"{setting} is not set on this server, so it accepts requests only from the loopback interface; set it and send it as a bearer token"));
            case AccessResult.Throttled:
                Response.Headers.RetryAfter = Math.Ceiling(_retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Context.WriteProblemAsync(StatusCodes.Status429TooManyRequests, new ApiError("too_many_failures",
                    "too many failed authentication attempts from this address; retry after the time in Retry-After"));
            default:
                Response.Headers.WWWAuthenticate = "Bearer";
                return Context.WriteProblemAsync(StatusCodes.Status401Unauthorized, new ApiError("unauthorized",
                    _result == AccessResult.Missing
                        ? $"this request needs 'Authorization: Bearer <{setting}>'"
                        : $"the bearer token does not match {setting}"));
        }
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header; null when there is none.</summary>
    private string? BearerToken()
    {
        var header = Request.Headers[HeaderNames.Authorization].ToString();
        return header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : null;
    }
}
