using System.Diagnostics;
using System.Text.Json;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// Three real node processes peered over gRPC on loopback, each with its own data directory under
/// <paramref name="root"/>; nodes can be killed, wiped and restarted on the same ports.
/// </summary>
public sealed class ProcessCluster(string root, IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    private readonly NodeSpec[] _specs = [.. new[] { "n1", "n2", "n3" }.Select(id =>
        new NodeSpec(id, NodeProcess.FreePort(), NodeProcess.FreePort(), NodeProcess.FreePort(), Path.Combine(root, id)))];
    private readonly Dictionary<string, NodeProcess> _running = [];

    public IEnumerable<string> Ids => _specs.Select(s => s.Id);

    public NodeProcess this[string id] => _running[id];

    public NodeSpec Spec(string id) => _specs.Single(s => s.Id == id);

    public async Task StartAsync(string id)
    {
        var spec = Spec(id);
        _running[id] = await NodeProcess.StartMemberAsync(spec, _specs.Where(s => s != spec), settings);
    }

    public async Task StartAllAsync() => await Task.WhenAll(Ids.Select(StartAsync));

    public async Task KillAsync(string id)
    {
        await _running[id].DisposeAsync();
        _running.Remove(id);
    }

    /// <summary>Stops node <paramref name="id"/> with SIGTERM; returns its exit code.</summary>
    public async Task<int> TerminateAsync(string id, TimeSpan timeout)
    {
        var code = await _running[id].TerminateAsync(timeout);
        await _running[id].DisposeAsync();
        _running.Remove(id);
        return code;
    }

    /// <summary>The running node that is primary and serves reads, waiting up to <paramref name="timeout"/>.</summary>
    public async Task<(string Id, NodeProcess Node)> WaitForPrimaryAsync(TimeSpan timeout)
    {
        (string, NodeProcess)? found = null;
        await WaitUntilAsync(async () =>
        {
            foreach (var (id, node) in _running)
            {
                if ((await node.StatusAsync()).Deserialize<ClusterStatus>(JsonSerializerOptions.Web) is { Role: Role.Primary, ServesReads: true })
                {
                    found = (id, node);
                    return true;
                }
            }
            return false;
        }, timeout, "a primary that serves reads");
        return found!.Value;
    }

    /// <summary>Polls <paramref name="condition"/> (transport errors count as "not yet") until it holds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _running.Values)
            await node.DisposeAsync();
        _running.Clear();
    }
}
