using System.Net.Http.Json;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;

namespace KvAspire.Bench.Cluster;

/// <summary>The gateway's <c>GET /cluster</c>, with what a run waits for: which node is primary, and whether every node
/// answered and caught up.</summary>
public sealed record ClusterView(GatewayStatus Gateway)
{
    /// <summary>The reports of the nodes that answered the gateway's last poll.</summary>
    public IReadOnlyList<ClusterStatus> Nodes { get; } = Gateway.Reports();

    public string? Primary => Gateway.Primary;

    public ClusterStatus? PrimaryNode => Nodes.FirstOrDefault(n => n.Node == Primary && n.Role == Role.Primary);

    /// <summary>One node is primary, and every member of its configuration answers and has applied its commit index (every
    /// node the gateway knows, for a primary of a version that does not report its configuration). Spare nodes the AppHost
    /// declares but did not start are no members.</summary>
    public bool AllCaughtUp => PrimaryNode is { } p && AllAppliedThrough(p.CommitIndex);

    /// <summary>One node is primary, and every member of its configuration (as for <see cref="AllCaughtUp"/>) answers and has
    /// applied <paramref name="index"/>. Unlike <see cref="AllCaughtUp"/> this stays true once true: under a write load the
    /// gateway polls each node at its own moment, and a node polled just before the primary is always a few entries
    /// behind the commit index of the same answer.</summary>
    public bool AllAppliedThrough(long index) => PrimaryNode is { } p
        && (p.Voters.Count > 0 ? p.Voters.Concat(p.Learners) : Gateway.Nodes.Select(n => n.GetProperty("node").GetString()))
            .All(member => Nodes.Any(n => n.Node == member && n.AppliedIndex >= index));

    /// <summary>What a wait that timed out last saw: the primary's configuration and commit index, each node's role and applied index.</summary>
    public string Describe()
    {
        var primary = PrimaryNode is { } p
            ? $"primary {p.Node} (term {p.Term}, commit {p.CommitIndex}, voters {string.Join(",", p.Voters)}, learners {string.Join(",", p.Learners)}, changing {p.MembershipChanging})"
            : "no primary";
        return $"{primary}; nodes: {string.Join("; ", Nodes.Select(n => $"{n.Node} {n.Role} t{n.Term} {n.Standing} applied {n.AppliedIndex}"))}";
    }

    public static async Task<ClusterView> ReadAsync(HttpClient client, string gatewayUrl, CancellationToken cancellationToken) =>
        new(await client.GetFromJsonAsync<GatewayStatus>($"{gatewayUrl.TrimEnd('/')}/cluster", cancellationToken)
            ?? throw new System.Text.Json.JsonException("the gateway's /cluster answered null"));

    /// <summary>Polls until <paramref name="ready"/> holds; throws naming what it waited for after <paramref name="timeout"/>.</summary>
    public static async Task<ClusterView> WaitAsync(HttpClient client, string gatewayUrl, Func<ClusterView, bool> ready,
        string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        ClusterView? last = null;
        while (true)
        {
            try
            {
                var view = await ReadAsync(client, gatewayUrl, deadline.Token);
                last = view;
                if (ready(view))
                    return view;
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what} at {gatewayUrl}/cluster; last seen: {last?.Describe() ?? "no answer"}");
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
