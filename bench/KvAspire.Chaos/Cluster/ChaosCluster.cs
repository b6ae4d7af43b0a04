using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using KvAspire.Bench;
using KvAspire.Bench.Cluster;

namespace KvAspire.Chaos.Cluster;

/// <summary>
/// The run's own cluster: three Release node processes, the founding members (Storage:Fsync=Always, admin drills on,
/// on loopback ports of their own), spare nodes configured like them but started only when the run adds them, and a
/// gateway in front of them all for HTTP clients. Nodes can be killed, paused, wiped and restarted on the same ports and
/// folders; <see cref="DisposeAsync"/> kills whatever is still running.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public static readonly TimeSpan HealTimeout = TimeSpan.FromSeconds(120);
    /// <summary>The founding members (<c>Cluster:Members</c>); spares are named on from node4.</summary>
    public static readonly IReadOnlyList<string> Founders = ["node1", "node2", "node3"];
    private readonly ClusterSettings _settings;
    private readonly string _password = Guid.NewGuid().ToString("N");
    private readonly string _adminSecret = Guid.NewGuid().ToString("N");
    private readonly int _gatewayPort = FreePort();
    private readonly HttpClient _admin;
    private System.Diagnostics.Process? _gateway;

    public ChaosCluster(ClusterSettings settings)
    {
        _settings = settings;
        Nodes = [.. Founders.Concat(SpareNames(settings.Spares)).Select(name => new ChaosNode(name, FreePort(), FreePort(), FreePort(),
            Path.Combine(settings.WorkDirectory, "data", name)))];
        Control = NewClient(TimeSpan.FromSeconds(2), _password);
        _admin = NewClient(TimeSpan.FromSeconds(2), _adminSecret);
    }

    /// <summary>The founding members, then the spares.</summary>
    public IReadOnlyList<ChaosNode> Nodes { get; }
    /// <summary>The nodes started at least once: those a fault may hit and a restart brings back. A spare joins them when
    /// the run first adds it, and stays (a removed node keeps running, as one an operator forgot would).</summary>
    public IEnumerable<ChaosNode> Launched => Nodes.Where(n => n.Launched);
    public string GatewayUrl => $"http://127.0.0.1:{_gatewayPort}";
    public string Password => _password;
    /// <summary>For /cluster and other short calls, with the client password.</summary>
    public HttpClient Control { get; }
    /// <summary>The admin secret, which the gateway checks before it forwards <c>/cluster/members</c> to the primary.</summary>
    public string AdminSecret => _adminSecret;

    public static IEnumerable<string> SpareNames(int spares) =>
        Enumerable.Range(Founders.Count + 1, spares).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"node{i}"));

    public ChaosNode Node(string name) => Nodes.Single(n => n.Name == name);

    public static HttpClient NewClient(TimeSpan timeout, string bearer) => new(new SocketsHttpHandler { UseProxy = false })
    {
        Timeout = timeout,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) },
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var node in Nodes.Where(n => Founders.Contains(n.Name)))
            StartNode(node);
        _gateway = ChildProcesses.Start(["dotnet", Assembly("KvAspire.Gateway")], GatewayEnvironment(),
            Path.Combine(_settings.WorkDirectory, "gateway.log"));
        await WaitHealedAsync(cancellationToken);
    }

    /// <summary>Starts the node's process; <paramref name="settings"/> adds configuration (a fault-injection setting).</summary>
    public void StartNode(ChaosNode node, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = NodeEnvironment(node);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;
        node.Launched = true;
        node.Process = ChildProcesses.Start(["dotnet", Assembly("KvAspire.Node")], environment,
            Path.Combine(_settings.WorkDirectory, $"{node.Name}.log"));
    }

    public async Task KillAsync(ChaosNode node)
    {
        if (node.Process is { } process)
            await ChildProcesses.KillAsync(process);
        node.Process = null;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the node to stop by itself; its exit code, or null if it still runs.</summary>
    public static async Task<int?> WaitExitAsync(ChaosNode node, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await node.Process!.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        var code = node.Process.ExitCode;
        ChildProcesses.Forget(node.Process);
        node.Process = null;
        return code;
    }

    /// <summary>SIGSTOP, then waits until the kernel reports the process stopped (state T in /proc/pid/stat).</summary>
    public static async Task PauseAsync(ChaosNode node, CancellationToken cancellationToken)
    {
        var pid = node.Process!.Id;
        Signals.Send(pid, Signals.Stop);
        // The state follows the command name, which is in parentheses and may hold spaces.
        while (File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'T')
            await Task.Delay(1, cancellationToken);
    }

    public static void Resume(ChaosNode node) => Signals.Send(node.Process!.Id, Signals.Continue);

    /// <summary>POSTs an admin drill (<c>/admin/isolate?...</c>, <c>/admin/cut?...</c>) to the node; throws unless it answers 2xx.</summary>
    public async Task AdminAsync(ChaosNode node, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var response = await _admin.PostAsync($"{node.HttpUrl}{pathAndQuery}", content: null, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{node.Name} {pathAndQuery}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>One primary, every member of its configuration up and caught up with it, and no membership change under way:
    /// the state each fault starts from and the final reads wait for. A removed node that still runs is no member.
    /// Caught up means applied through what that primary had committed when it was first seen settled: the load goes on
    /// while the cluster heals, and "applied its latest commit index" can stay false for as long as a member happens to
    /// be polled just before the primary. A CI run with five nodes waited 120 s in vain while writes went on; which member
    /// it waited for was not recorded then (a timed-out wait now says what it last saw).</summary>
    public Task<ClusterView> WaitHealedAsync(CancellationToken cancellationToken)
    {
        (string Primary, long Index)? target = null;
        return ClusterView.WaitAsync(Control, GatewayUrl, view =>
            {
                if (view.PrimaryNode is not { MembershipChanging: false } primary)
                    return false;
                if (target?.Primary != primary.Node)
                    target = (primary.Node, primary.CommitIndex);
                return view.AllAppliedThrough(target.Value.Index);
            },
            "every member caught up with a primary, no membership change under way", HealTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await KillAsync(node);
        if (_gateway is not null)
            await ChildProcesses.KillAsync(_gateway);
        Control.Dispose();
        _admin.Dispose();
    }

    private Dictionary<string, string> NodeEnvironment(ChaosNode node)
    {
        var environment = new Dictionary<string, string>
        {
            ["Cluster__NodeId"] = node.Name,
            ["Cluster__Timing"] = _settings.Timing,
            ["Replication__Acknowledge"] = _settings.Acknowledge,
            ["Storage__Fsync"] = "Always",
            ["Storage__DataDirectory"] = node.DataDirectory,
            ["KV_HTTP_PORT"] = Text(node.HttpPort),
            ["KV_PEER_PORT"] = Text(node.PeerPort),
            ["KV_RESP_PORT"] = Text(node.RespPort),
            ["Auth__Password"] = _password,
            ["Admin__Enabled"] = "true",
            ["Admin__Secret"] = _adminSecret,
            ["Logging__LogLevel__Default"] = "Warning",
            // Elections and role changes, timed, to line a node's log up with the history and the faults.
            ["Logging__LogLevel__KvAspire.Node.Cluster"] = "Information",
            ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
        };
        for (var i = 0; i < Founders.Count; i++)
            environment[$"Cluster__Members__{i}"] = Founders[i];
        foreach (var peer in Nodes.Where(p => p != node))
        {
            environment[$"services__{peer.Name}__peer__0"] = $"http://127.0.0.1:{peer.PeerPort}";
            environment[$"services__{peer.Name}__resp__0"] = $"redis://127.0.0.1:{peer.RespPort}";
        }
        return environment;
    }

    private Dictionary<string, string> GatewayEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = GatewayUrl,
            ["Auth__Password"] = _password,
            ["Admin__Secret"] = _adminSecret,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        // Spares too, though not started: the gateway never forgets a configured node, so it finds each one the run adds,
        // and one not running is simply unreachable, as the AppHost's are.
        foreach (var node in Nodes)
        {
            environment[$"services__{node.Name}__http__0"] = node.HttpUrl;
            environment[$"services__{node.Name}__resp__0"] = $"redis://127.0.0.1:{node.RespPort}";
        }
        return environment;
    }

    /// <summary>This repository's build of a project, in the configuration this tool was built in.</summary>
    private static string Assembly(string project)
    {
        var metadata = typeof(ChaosCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = Path.Combine(metadata["RepositoryRoot"]!, project, "bin", metadata["Configuration"]!, "net10.0", $"{project}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built", path);
    }

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
