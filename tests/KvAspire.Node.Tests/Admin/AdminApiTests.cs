using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Cluster;
using KvAspire.Node.Transport;
using KvAspire.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Admin;

/// <summary>The Admin:Enabled gate and the isolate endpoint, on an in-memory server. Crash is only
/// ever called while disabled here: enabled, it would kill the test host (the integration tests cover it).</summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WebApplication? _app;

    private PeerIsolation Isolation => _app!.Services.GetRequiredService<PeerIsolation>();
    private PeerLinkCuts Cuts => _app!.Services.GetRequiredService<PeerLinkCuts>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    private const string ClientPassword = "client-pass";
    private const string AdminSecret = "admin-secret";

    /// <summary>Both secrets are set, so loopback gets no free pass: every call needs its bearer token.</summary>
    private async Task<HttpClient> StartAsync(bool enabled)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Auth:Password"] = ClientPassword;
        builder.Configuration["services:node2:peer:0"] = "http://127.0.0.1:1";
        builder.Configuration["services:node3:peer:0"] = "http://127.0.0.1:2";
        builder.Configuration[ClientAuthentication.AdminSecretSetting] = AdminSecret;
        builder.AddClientAuthentication();
        builder.Services.AddSingleton(Options.Create(new AdminOptions { Enabled = enabled }));
        builder.Services.AddSingleton(Options.Create(new ClusterOptions { NodeId = "node1" }));
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton<PeerIsolation>();
        builder.Services.AddSingleton<PeerLinkCuts>();
        builder.Services.AddSingleton<PeerDirectory>();
        _app = builder.Build();
        _app.UseClientAuthentication();
        _app.MapAdminApi();
        await _app.StartAsync();
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminSecret);
        return client;
    }

    [Theory]
    [InlineData("/admin/crash", null)]
    [InlineData("/admin/isolate?seconds=30", null)]
    [InlineData("/admin/isolate?seconds=30", ClientPassword)]
    [InlineData("/admin/cut?to=node2&seconds=30", null)]
    [InlineData("/admin/cut?to=node2&seconds=30", ClientPassword)]
    public async Task ActionsThatChangeTheCluster_WithoutTheAdminSecret_Get401_AndDoNothing(string path, string? token)
    {
        var client = await StartAsync(enabled: true);
        client.DefaultRequestHeaders.Authorization = token is null ? null : new("Bearer", token);

        using var response = await client.PostAsync(path, content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.False(Isolation.IsIsolated);
        Assert.False(Cuts.IsCut("node2"));
    }

    [Theory]
    [InlineData("/admin/crash")]
    [InlineData("/admin/isolate?seconds=30")]
    [InlineData("/admin/cut?to=node2&seconds=30")]
    public async Task Disabled_Answers403AdminDisabled_AndDoesNothing(string path)
    {
        var client = await StartAsync(enabled: false);

        using var response = await client.PostAsync(path, content: null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("admin_disabled", body.GetProperty("error").GetString());
        Assert.Contains("Admin:Enabled", body.GetProperty("detail").GetString());
        Assert.False(Isolation.IsIsolated);
        Assert.False(Cuts.IsCut("node2"));
    }

    [Fact]
    public async Task Enabled_Isolate_CutsPeersForTheAskedTime()
    {
        var client = await StartAsync(enabled: true);

        using var response = await client.PostAsync("/admin/isolate?seconds=30", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("node1", body.GetProperty("node").GetString());
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), body.GetProperty("isolatedUntil").GetDateTimeOffset());
        Assert.True(Isolation.IsIsolated);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("601")] // Admin:MaxIsolation defaults to 10 minutes
    public async Task Enabled_Isolate_RejectsADurationOutOfRange(string seconds)
    {
        var client = await StartAsync(enabled: true);

        using var response = await client.PostAsync($"/admin/isolate?seconds={seconds}", content: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_duration", body.GetProperty("error").GetString());
        Assert.False(Isolation.IsIsolated);
    }

    [Fact]
    public async Task Enabled_Cut_DropsMessagesToThatPeerOnly_ForTheAskedTime()
    {
        var client = await StartAsync(enabled: true);

        using var response = await client.PostAsync("/admin/cut?to=node2&seconds=30", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("node1", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("node").GetString());
        Assert.True(Cuts.IsCut("node2"));
        Assert.False(Cuts.IsCut("node3"));
        Assert.False(Isolation.IsIsolated);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(Cuts.IsCut("node2"));
    }

    [Theory]
    [InlineData("to=node9&seconds=30", "unknown_peer")]
    [InlineData("to=node1&seconds=30", "unknown_peer")] // itself: not a peer
    [InlineData("seconds=30", "unknown_peer")]
    [InlineData("to=node2&seconds=0", "invalid_duration")]
    [InlineData("to=node2&seconds=601", "invalid_duration")]
    [InlineData("to=node2", "invalid_duration")]
    public async Task Enabled_Cut_RejectsAnUnknownPeerOrADurationOutOfRange(string query, string error)
    {
        var client = await StartAsync(enabled: true);

        using var response = await client.PostAsync($"/admin/cut?{query}", content: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.False(Cuts.IsCut("node2"));
        Assert.False(Cuts.IsCut("node9"));
    }

    [Fact]
    public void Options_AreOffByDefault_AndNameABadMaxIsolation()
    {
        var options = new AdminOptions { MaxIsolation = TimeSpan.Zero };

        var error = Assert.Throws<OptionsValidationException>(() => SettingsCheck.Validate(options));

        Assert.False(new AdminOptions().Enabled);
        Assert.Contains("Admin:MaxIsolation", error.Message);
    }
}
