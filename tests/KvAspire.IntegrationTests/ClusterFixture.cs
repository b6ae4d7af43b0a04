using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KvAspire.IntegrationTests;

/// <summary>
/// One started AppHost (3 nodes + gateway, fast timings, a fresh data folder) shared by every test
/// in the "cluster" collection. Clients talk to the real processes over proxyless endpoints.
/// </summary>
/// <remarks>
/// The fast profile's 300–600 ms election timeout is shorter than the stalls a Debug build sees
/// while the other test assemblies load both cores, so CI saw elections nobody caused, between
/// a test's settled check and its next command. The fixture keeps the fast 50 ms heartbeat and
/// widens the timeout to 1.5–3 s: elections the tests cause still take a few seconds at most.
/// </remarks>
public class ClusterFixture : IAsyncLifetime
{
    public static readonly string[] NodeNames = ["node1", "node2", "node3"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dataRoot = Path.Combine(Path.GetTempPath(), "kvaspire-it-" + Guid.NewGuid().ToString("N"));
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>The client password the AppHost hands every node and the gateway (its kv-password parameter).</summary>
    public string Password { get; } = RandomNumberGenerator.GetHexString(32);

    /// <summary>Given, not generated: a generated value would be persisted to the developer's user secrets.</summary>
    public string AdminSecret { get; } = RandomNumberGenerator.GetHexString(32);
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>What the AppHost itself logged at Warning or above while it ran.</summary>
    public WarningLog AppHostWarnings { get; } = new();
    public IReadOnlyDictionary<string, HttpClient> Nodes { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.KvAspire_AppHost>(
            // Resp:BasePort=0: free RESP ports, since the default fixed 6379.. are not randomized in tests.
            ["--Cluster:Timing=Fast", "--Cluster:ElectionTimeoutMin=00:00:01.5", "--Cluster:ElectionTimeoutMax=00:00:03",
                $"--Storage:DataRoot={_dataRoot}", "--Resp:BasePort=0",
                $"--Parameters:kv-password={Password}", $"--Parameters:kv-admin-secret={AdminSecret}"],
            (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.", LogLevel.Warning)
            // Health checks fail, by design, while nodes start and after a test kills one.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddProvider(AppHostWarnings));
        Configure(builder);
        _app = await builder.BuildAsync();
        using var start = new CancellationTokenSource(StartTimeout);
        await _app.StartAsync(start.Token);

        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        foreach (var name in NodeNames.Append("gateway"))
            await notifications.WaitForResourceHealthyAsync(name, start.Token);

        Gateway = ClientFor("gateway");
        Nodes = NodeNames.ToDictionary(name => name, ClientFor);
    }

    /// <summary>Changes the app model before it is built (a fixture of another kind of cluster).</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    private HttpClient ClientFor(string resource) => new()
    {
        BaseAddress = App.GetEndpoint(resource, "http"),
        Timeout = TimeSpan.FromSeconds(5),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", Password) },
    };

    /// <summary>A client of <paramref name="resource"/>'s HTTP endpoint without credentials.</summary>
    public HttpClient AnonymousClientFor(string resource) => new()
    {
        BaseAddress = App.GetEndpoint(resource, "http"),
        Timeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>A node's Redis-protocol endpoint as StackExchange.Redis wants it: host:port.</summary>
    public string RespEndpoint(string node)
    {
        var uri = App.GetEndpoint(node, "resp");
        return $"{uri.Host}:{uri.Port}";
    }

    /// <summary>
    /// StackExchange.Redis given <paramref name="nodes"/>' RESP endpoints and the password. configCheckSeconds=1: it
    /// re-reads every node's role (INFO replication) each second instead of each minute, which is what lets it find a
    /// new primary after a failover; it does not give up on a node that is down when it connects.
    /// </summary>
    public Task<ConnectionMultiplexer> ConnectRedisAsync(params string[] nodes)
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConfigCheckSeconds = 1,
            ConnectTimeout = 5000,
            SyncTimeout = 10_000,
            AsyncTimeout = 10_000,
            Password = Password,
        };
        foreach (var node in nodes)
            options.EndPoints.Add(RespEndpoint(node));
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public static async Task<ClusterStatus?> StatusAsync(HttpClient node) =>
        await node.GetFromJsonAsync<ClusterStatus>("/cluster");

    /// <summary>Waits until every node is up, agrees on one primary and has applied every entry in its log.</summary>
    public Task<ClusterStatus> WaitForSettledClusterAsync(TimeSpan timeout) =>
        Eventually.ResultAsync("all nodes to agree on one primary and the same applied log", timeout, async () =>
        {
            var statuses = await Task.WhenAll(Nodes.Values.Select(StatusAsync));
            var primaries = statuses.Where(s => s!.Role == Role.Primary).ToList();
            if (primaries.Count != 1)
                return null;
            var primary = primaries[0]!;
            // Applied up to the primary's last entry: a write acknowledged by the primary alone
            // (ack=leader) is in every log before its commit reaches the secondaries.
            var settled = primary.ServesReads && primary.AppliedIndex == primary.LastLogIndex && statuses.All(s =>
                s!.Term == primary.Term && s.Primary == primary.Node
                && s.AppliedIndex == primary.AppliedIndex && s.AppliedDigest == primary.AppliedDigest
                && s.LastLogIndex == primary.LastLogIndex && s.LastLogTerm == primary.LastLogTerm);
            var gateway = await Gateway.GetFromJsonAsync<GatewayStatus>("/cluster");
            return settled && gateway?.Primary == primary.Node ? primary : null;
        });

    /// <summary>
    /// Kills <paramref name="primary"/>'s process, runs <paramref name="whileDown"/>, then starts the node again and
    /// waits until the cluster has settled, since the other tests of the collection expect three nodes.
    /// </summary>
    public async Task WithPrimaryKilledAsync(ClusterStatus primary, TimeSpan rejoinTimeout, Func<Task> whileDown)
    {
        Kill(primary.ProcessId);
        try
        {
            await whileDown();
        }
        finally
        {
            await StartAsync(primary.Node, rejoinTimeout);
            await WaitForSettledClusterAsync(rejoinTimeout);
        }
    }

    /// <summary>The node's data folder (Storage:DataDirectory): deleting it while the node is down is a disk that died.</summary>
    public string DataDirectory(string node) => Path.Combine(_dataRoot, node);

    /// <summary>Kills a node's process the way a crash would (SIGKILL).</summary>
    public static void Kill(int processId) => System.Diagnostics.Process.GetProcessById(processId).Kill();

    /// <summary>Starts a node that has exited (waiting until Aspire has seen it exit) and waits until it is healthy.</summary>
    public async Task StartAsync(string node, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(node,
            e => e.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", wait.Token);
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(node, KnownResourceCommands.StartCommand, wait.Token);
        Assert.True(result.Success, $"starting {node} failed: {result.Message}");
        await App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync(node, wait.Token);
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        foreach (var client in Nodes?.Values ?? [])
            client.Dispose();
        if (_app is not null)
            await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
        catch (IOException)
        {
            // DCP may still be tearing the nodes down; a leftover temp folder is harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
