using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// A real KvAspire node process: alone (a one-member cluster commits on its own disk alone), or a member
/// of a <see cref="ProcessCluster"/>. A test can SIGKILL it mid-write and check what survives on disk.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private const int ErrorLinesKept = 20;
    private const int PortAttempts = 3;
    private static readonly TimeSpan PortRetryDelay = TimeSpan.FromSeconds(2);
    private readonly Process _process;
    /// <summary>The last lines the node wrote to stderr, so a failed start says why.</summary>
    private readonly Queue<string> _errors = new();
    /// <summary>Whether any stderr line said a port was taken: the exception's stack trace that follows it can be longer
    /// than the lines kept (a CI run's failed start kept only the trace, and was not retried).</summary>
    private bool _portTaken;

    private NodeProcess(Process process, Uri address)
    {
        _process = process;
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
                return;
            lock (_errors)
            {
                _errors.Enqueue(line.Data);
                _portTaken |= line.Data.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
                if (_errors.Count > ErrorLinesKept)
                    _errors.Dequeue();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

    /// <summary>A single-node cluster, started once it serves reads. Unless <paramref name="settings"/> say
    /// otherwise it snapshots every 50 entries, so restarts also restore from a snapshot (and some crashes
    /// hit one mid-write).</summary>
    public static Task<NodeProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? settings = null) =>
        StartUntilAsync(new NodeSpec("solo", FreePort(), FreePort(), FreePort(), dataDirectory), peers: [],
            settings ?? new Dictionary<string, string> { ["Storage__SnapshotEntries"] = "50" },
            async n => (await n.StatusAsync()).GetProperty("servesReads").GetBoolean(), "serve reads");

    /// <summary>Starts the node <paramref name="spec"/> with <paramref name="peers"/> as the other members; returns
    /// once it answers /cluster.</summary>
    public static Task<NodeProcess> StartMemberAsync(NodeSpec spec, IEnumerable<NodeSpec> peers, IReadOnlyDictionary<string, string> settings) =>
        StartUntilAsync(spec, peers, settings, async n => (await n.StatusAsync()).ValueKind == JsonValueKind.Object, "answer /cluster");

    private static async Task<NodeProcess> StartUntilAsync(NodeSpec spec, IEnumerable<NodeSpec> peers, IReadOnlyDictionary<string, string> settings,
        Func<NodeProcess, Task<bool>> ready, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = Start(spec, peers, settings);
            try
            {
                await node.WaitUntilAsync(ready, what);
                return node;
            }
            catch (PortTakenException) when (attempt < PortAttempts)
            {
                // FreePort's port was free when chosen, but another process's outgoing connection may hold it
                // for a moment; peers already know this port, so wait and try it again.
                await node.DisposeAsync();
                await Task.Delay(PortRetryDelay);
            }
            catch
            {
                await node.DisposeAsync(); // a node that never became ready must not outlive the test
                throw;
            }
        }
    }

    private static NodeProcess Start(NodeSpec spec, IEnumerable<NodeSpec> peers, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "KvAspire.Node.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Cluster__NodeId"] = spec.Id,
                ["Cluster__Timing"] = "Fast",
                ["Storage__DataDirectory"] = spec.DataDirectory,
                ["KV_HTTP_PORT"] = spec.HttpPort.ToString(),
                ["KV_PEER_PORT"] = spec.PeerPort.ToString(),
                ["KV_RESP_PORT"] = spec.RespPort.ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        foreach (var peer in peers)
            start.Environment[$"services__{peer.Id}__peer__0"] = $"http://127.0.0.1:{peer.PeerPort}";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the node");
        return new NodeProcess(process, new Uri($"http://127.0.0.1:{spec.HttpPort}"));
    }

    public async Task<JsonElement> StatusAsync() => await Client.GetFromJsonAsync<JsonElement>("/cluster");

    /// <summary>SIGTERM, as a supervisor or Kubernetes stops a process: the node's shutdown runs. Returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, Sigterm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    private const int Sigterm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private async Task WaitUntilAsync(Func<NodeProcess, Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // flushes the redirected stderr
                string errors;
                bool portTaken;
                lock (_errors)
                    (errors, portTaken) = (string.Join("\n", _errors), _portTaken);
                var message = $"the node exited with code {_process.ExitCode} during start; its last stderr lines:\n{errors}";
                throw portTaken
                    ? new PortTakenException(message)
                    : new InvalidOperationException(message);
            }
            try
            {
                if (await condition(this))
                    return;
            }
            // Not answering yet, or (on a loaded machine) not within the client's timeout: not ready yet.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the node did not {what} within {ReadyTimeout.TotalSeconds} s");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
            await KillAsync();
        _process.Dispose();
    }
}

/// <summary>Where a node process listens and keeps its data; the same spec restarts the same node.</summary>
public sealed record NodeSpec(string Id, int HttpPort, int PeerPort, int RespPort, string DataDirectory);

/// <summary>A node could not listen on one of its ports because another process held it.</summary>
public sealed class PortTakenException(string message) : InvalidOperationException(message);
