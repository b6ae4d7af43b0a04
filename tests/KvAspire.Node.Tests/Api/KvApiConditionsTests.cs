using System.Net;
using System.Net.Http.Headers;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Api;

/// <summary>HTTP's time to live, ETag (the key's revision) and compare-and-set with If-Match / If-None-Match.</summary>
public sealed class KvApiConditionsTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-http-").FullName;
    private TestHost _node = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _node = TestHost.Create("node1", _directory, new ConfigurationBuilder().Build(), new NoPeers());
        await _node.Host.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (_node.Host.Status is not { Role: Role.Primary, ServesReads: true })
            await _node.Host.StatusChanged.WaitAsync(timeout.Token);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(_node.Commands);
        builder.Services.AddSingleton(Options.Create(new LimitsOptions()));
        _app = builder.Build();
        _app.MapKvApi();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _node.Host.StopAsync(CancellationToken.None);
        _node.Host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<HttpResponseMessage> Put(string key, string value, string? ifMatch = null, string? ifNoneMatch = null, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/kv/{key}{query}") { Content = new StringContent(value) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatch is not null)
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return _client.SendAsync(request);
    }

    [Fact]
    public async Task PutWithATimeToLive_GetReportsTheTimeLeft_AndTheKeyExpires()
    {
        var put = await Put("session", "v", query: "?ttl=2.5");
        var get = await _client.GetAsync("/kv/session");
        await Task.Delay(2700);
        var after = await _client.GetAsync("/kv/session");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var left = double.Parse(get.Headers.GetValues(KvApi.TtlHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(left, 0.001, 2.5);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put("session", "v", query: "?ttl=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put("forever", "v")).StatusCode);
        Assert.False((await _client.GetAsync("/kv/forever")).Headers.Contains(KvApi.TtlHeader));
    }

    [Fact]
    public async Task IfMatch_WritesOnlyOverTheRevisionItNames()
    {
        var created = await Put("doc", "1", ifNoneMatch: "*");
        var etag = (await _client.GetAsync("/kv/doc")).Headers.ETag!;
        var refusedCreate = await Put("doc", "x", ifNoneMatch: "*");
        var updated = await Put("doc", "2", ifMatch: etag.Tag);
        var stale = await Put("doc", "3", ifMatch: etag.Tag);
        var staleDelete = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/kv/doc") { Headers = { IfMatch = { etag } } });
        var current = (await _client.GetAsync("/kv/doc")).Headers.ETag!;
        var deleted = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/kv/doc") { Headers = { IfMatch = { current } } });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(created.Headers.ETag, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refusedCreate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.StatusCode);
        Assert.Equal(updated.Headers.ETag, current);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/kv/doc")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Put("doc", "x", ifMatch: "*")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put("doc", "x", ifMatch: "not-an-etag")).StatusCode);
    }
}
