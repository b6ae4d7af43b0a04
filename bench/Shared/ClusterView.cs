using System.Text.Json;

namespace KvAspire.Bench.Cluster;

/// <summary>One node as the gateway's <c>GET /cluster</c> last saw it; <c>Reachable</c> false when it did not answer.</summary>
public sealed record NodeInfo(string Name, bool Reachable, string? Role, long CommitIndex, long AppliedIndex, int ProcessId);

/// <summary>The gateway's <c>GET /cluster</c>: which node is primary and every node's own report.</summary>
public sealed record ClusterView(string? Primary, IReadOnlyList<NodeInfo> Nodes)
{
    public static async Task<ClusterView> ReadAsync(HttpClient client, string gatewayUrl, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync($"{gatewayUrl.TrimEnd('/')}/cluster", cancellationToken));
        var root = document.RootElement;
        var nodes = root.GetProperty("nodes").EnumerateArray().Select(Node).ToList();
        return new ClusterView(root.GetProperty("primary").GetString(), nodes);
    }

    public NodeInfo? PrimaryNode => Nodes.FirstOrDefault(n => n.Reachable && n.Name == Primary && n.Role == "Primary");

    /// <summary>Every node answers, one is primary, and all have applied the primary's commit index.</summary>
    public bool AllCaughtUp => PrimaryNode is { } p && Nodes.All(n => n.Reachable && n.AppliedIndex >= p.CommitIndex);

    private static NodeInfo Node(JsonElement e)
    {
        var name = e.GetProperty("node").GetString() ?? "";
        if (!e.TryGetProperty("role", out var role))
            return new NodeInfo(name, false, null, 0, 0, 0);
        return new NodeInfo(name, true, role.GetString(), e.GetProperty("commitIndex").GetInt64(),
            e.GetProperty("appliedIndex").GetInt64(), e.GetProperty("processId").GetInt32());
    }

    /// <summary>Polls until <paramref name="ready"/> holds; throws naming what it waited for after <paramref name="timeout"/>.</summary>
    public static async Task<ClusterView> WaitAsync(HttpClient client, string gatewayUrl, Func<ClusterView, bool> ready,
        string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            try
            {
                var view = await ReadAsync(client, gatewayUrl, deadline.Token);
                if (ready(view))
                    return view;
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what} at {gatewayUrl}/cluster");
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !deadline.IsCancellationRequested))
            {
                // The gateway is starting (its proxied port accepts and hangs until then) or a poll timed out:
                // keep polling until the deadline.
                await Task.Delay(200, deadline.Token);
            }
        }
    }
}
