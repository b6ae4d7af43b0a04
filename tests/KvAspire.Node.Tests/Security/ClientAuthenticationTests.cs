using System.Net;
using System.Text.Json;
using KvAspire.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.Node.Tests.Security;

/// <summary>The client and admin secret schemes and policies that the node and the gateway put in front of every endpoint, on an in-memory server.</summary>
public sealed class ClientAuthenticationTests : IAsyncLifetime
{
    private const string Password = "client-pass";
    private const string AdminPassword = "admin-pass";
    private static readonly IPAddress Remote = IPAddress.Parse("203.0.113.9");

    private WebApplication? _app;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    private async Task<TestServer> StartAsync(string? password)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        if (password is not null)
            builder.Configuration["Auth:Password"] = password;
        builder.Configuration["Auth:MaxFailures"] = "2";
        builder.Configuration[ClientAuthentication.AdminSecretSetting] = AdminPassword;
        builder.AddClientAuthentication();
        _app = builder.Build();
        _app.UseClientAuthentication();
        _app.MapGet("/kv/k", () => "value");
        _app.MapGet("/health", () => "Healthy").AllowAnonymous();
        _app.MapPost("/admin/thing", () => "done").RequireAuthorization(ClientAuthentication.AdminPolicy);
        await _app.StartAsync();
        return _app.GetTestServer();
    }

    private static Task<HttpContext> SendAsync(TestServer server, string path, string? token = null, string method = "GET",
        IPAddress? from = null) =>
        server.SendAsync(context =>
        {
            context.Request.Method = method;
            context.Request.Path = path;
            context.Connection.RemoteIpAddress = from ?? Remote;
            if (token is not null)
                context.Request.Headers.Authorization = "Bearer " + token;
        });

    private static async Task<string> DetailOf(HttpContext context)
    {
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        return json.RootElement.GetProperty("detail").GetString()!;
    }

    private static async Task<string> ErrorOf(HttpContext context)
    {
        Assert.Equal("application/problem+json", context.Response.ContentType);
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(context.Response.StatusCode, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()));
        return json.RootElement.GetProperty("error").GetString()!;
    }

    [Theory]
    [InlineData("/kv/k", StatusCodes.Status200OK)]
    [InlineData("/nothing-here", StatusCodes.Status404NotFound)] // an unknown path too: the fallback policy runs first
    public async Task WithoutToken_Gets401WithJsonError_AndTheRightTokenGetsThrough(string path, int granted)
    {
        var server = await StartAsync(Password);

        var missing = await SendAsync(server, path);
        var withToken = await SendAsync(server, path, Password);

        Assert.Equal(StatusCodes.Status401Unauthorized, missing.Response.StatusCode);
        Assert.Equal("Bearer", missing.Response.Headers.WWWAuthenticate.ToString());
        Assert.Equal("unauthorized", await ErrorOf(missing));
        Assert.Equal(granted, withToken.Response.StatusCode);
    }

    [Fact]
    public async Task AnonymousEndpoints_StayOpen()
    {
        var server = await StartAsync(Password);

        var health = await SendAsync(server, "/health");

        Assert.Equal(StatusCodes.Status200OK, health.Response.StatusCode);
    }

    [Fact]
    public async Task WrongTokens_AreThrottledPerAddress_ThenEvenTheRightOneIsRefusedWith429()
    {
        var server = await StartAsync(Password);

        var first = await SendAsync(server, "/kv/k", "guess-1");
        var second = await SendAsync(server, "/kv/k", "guess-2");
        var blocked = await SendAsync(server, "/kv/k", Password);
        var otherAddress = await SendAsync(server, "/kv/k", Password, from: IPAddress.Parse("203.0.113.10"));

        Assert.Equal("unauthorized", await ErrorOf(first));
        Assert.Equal(StatusCodes.Status401Unauthorized, second.Response.StatusCode);
        Assert.Equal(StatusCodes.Status429TooManyRequests, blocked.Response.StatusCode);
        Assert.Equal("too_many_failures", await ErrorOf(blocked));
        Assert.True(int.Parse(blocked.Response.Headers.RetryAfter.ToString()) > 0);
        Assert.Equal(StatusCodes.Status200OK, otherAddress.Response.StatusCode);
    }

    [Fact]
    public async Task AdminEndpoint_NeedsTheAdminSecret_NotTheClientPassword()
    {
        var server = await StartAsync(Password);

        var withClientPassword = await SendAsync(server, "/admin/thing", Password, "POST");
        var withAdminSecret = await SendAsync(server, "/admin/thing", AdminPassword, "POST");

        Assert.Equal(StatusCodes.Status401Unauthorized, withClientPassword.Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, withAdminSecret.Response.StatusCode);
    }

    [Fact]
    public async Task AdminRequests_WithTheAdminSecret_CountNoFailureAgainstTheClientPassword()
    {
        var server = await StartAsync(Password);

        // More admin requests than Auth:MaxFailures (2): had the client scheme run for them too, each would have been a
        // failed client authentication, and the address would now be throttled.
        for (var i = 0; i < 3; i++)
            Assert.Equal(StatusCodes.Status200OK, (await SendAsync(server, "/admin/thing", AdminPassword, "POST")).Response.StatusCode);
        var client = await SendAsync(server, "/kv/k", Password);

        Assert.Equal(StatusCodes.Status200OK, client.Response.StatusCode);
    }

    [Fact]
    public async Task ClientEndpoint_NeedsTheClientPassword_NotTheAdminSecret_AndSaysWhichSecret()
    {
        var server = await StartAsync(Password);

        var withAdminSecret = await SendAsync(server, "/kv/k", AdminPassword);
        var adminWithout = await SendAsync(server, "/admin/thing", method: "POST");

        Assert.Equal(StatusCodes.Status401Unauthorized, withAdminSecret.Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, adminWithout.Response.StatusCode);
        Assert.Contains("Admin:Secret", await DetailOf(adminWithout));
    }

    [Fact]
    public async Task ProtectedMode_NoPassword_Refuses403FromTheNetwork_AndServesLoopback()
    {
        var server = await StartAsync(password: null);

        var remote = await SendAsync(server, "/kv/k");
        var loopback = await SendAsync(server, "/kv/k", from: IPAddress.IPv6Loopback);

        Assert.Equal(StatusCodes.Status403Forbidden, remote.Response.StatusCode);
        Assert.Equal("protected_mode", await ErrorOf(remote));
        Assert.Equal(StatusCodes.Status200OK, loopback.Response.StatusCode);
    }
}
