using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// A real single-node KvAspire process (a one-member cluster commits on its own disk alone), so a
/// test can SIGKILL it mid-write and check what survives on disk.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private NodeProcess(Process process, Uri address)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Client { get; }

    public static async Task<NodeProcess> StartAsync(string dataDirectory)
    {
        var httpPort = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "KvAspire.Node.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Cluster__NodeId"] = "solo",
                ["Cluster__Timing"] = "Fast",
                ["Storage__DataDirectory"] = dataDirectory,
                // Snapshot often, so restarts also restore from a snapshot (and some crashes hit one mid-write).
                ["Storage__SnapshotEntries"] = "50",
                ["KV_HTTP_PORT"] = httpPort.ToString(),
                ["KV_PEER_PORT"] = FreePort().ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the node");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, new Uri($"http://127.0.0.1:{httpPort}"));
        await node.WaitUntilServingAsync();
        return node;
    }

    public async Task<JsonElement> StatusAsync() => await Client.GetFromJsonAsync<JsonElement>("/cluster");

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    private async Task WaitUntilServingAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the node exited with code {_process.ExitCode} during start");
            try
            {
                if ((await StatusAsync()).GetProperty("servesReads").GetBoolean())
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the node did not serve reads within {ReadyTimeout.TotalSeconds} s");
    }

    private static int FreePort()
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
