using System.Text.Json.Serialization;
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

/// <summary>The HTTP key-value and cluster APIs in a test server, over a one-node cluster with a real host loop and disk.</summary>
public abstract class SingleNodeApi : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-http-").FullName;
    private TestHost _node = null!;
    private WebApplication _app = null!;

    protected HttpClient Client { get; private set; } = null!;

    private protected TestHost Node => _node;

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
        builder.Services.AddSingleton(_node.Host);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddSingleton(Options.Create(new AdminOptions()));
        builder.Services.AddSingleton(Options.Create(new ClusterOptions { NodeId = "node1" }));
        _app = builder.Build();
        _app.MapKvApi();
        _app.MapClusterApi();
        await _app.StartAsync();
        Client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _node.Host.StopAsync(CancellationToken.None);
        _node.Host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <param name="headers">Further request headers, sent as they are.</param>
    protected Task<HttpResponseMessage> Put(string key, string value, string? ifMatch = null, string? ifNoneMatch = null, string query = "",
        params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/kv/{key}{query}") { Content = new StringContent(value) };
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatch is not null)
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        foreach (var (name, text) in headers)
            request.Headers.TryAddWithoutValidation(name, text);
        return Client.SendAsync(request);
    }
}
