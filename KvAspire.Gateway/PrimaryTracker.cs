using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace KvAspire.Gateway;

/// <summary>
/// Knows which node is primary. Each node is watched on its own loop, so a hung node never delays seeing a new
/// primary elsewhere: a long poll of its <c>/cluster/changes</c>, which answers as soon as the node's role, term or
/// primary differs from what the gateway last saw, and otherwise after <see cref="GatewayOptions.PollInterval"/>, so
/// a node that does not answer by then (plus <see cref="GatewayOptions.PollTimeout"/>) is hung. The primary is the
/// reachable node that reports role Primary with the highest term (a deposed primary that has not heard of the new
/// term yet loses on term). 421 answers from the proxy path are hints that take effect before the next answer.
/// </summary>
public sealed class PrimaryTracker : BackgroundService
{
    private readonly IReadOnlyList<ClusterNode> nodes;
    private readonly HttpClient http;
    private readonly GatewayOptions options;
    private readonly ILogger<PrimaryTracker> logger;
    private readonly GatewayTelemetry telemetry;

    private readonly Lock gate = new();
    private readonly Dictionary<string, NodeView> views; // guarded by gate
    private NodeView? primary; // guarded by gate; written only by ElectPrimary
    private long? primaryLostAt; // guarded by gate: when the last known primary was lost, while none is known
    private string? routedNode; // guarded by gate: the last node elected primary
    private CancellationTokenSource routeMoved = new(); // guarded by gate: cancelled when another node is elected

    public PrimaryTracker(
        IReadOnlyList<ClusterNode> nodes, HttpClient http, IOptions<GatewayOptions> options,
        ILogger<PrimaryTracker> logger, GatewayTelemetry telemetry)
    {
        this.nodes = nodes;
        this.http = http;
        this.options = options.Value;
        this.logger = logger;
        this.telemetry = telemetry;
        views = nodes.ToDictionary(node => node.Name, node => NodeView.Unreachable(node.Name));
    }

    /// <summary>Every node behind the gateway, with its addresses.</summary>
    public IReadOnlyList<ClusterNode> Nodes => nodes;

    /// <summary>The node commands go to, or null while no primary is known.</summary>
    public string? Primary
    {
        get
        {
            lock (gate)
            {
                return primary?.Node;
            }
        }
    }

    /// <summary>
    /// The primary (null while none is known) and a token cancelled once another node is elected: a
    /// connection forwarded to this primary ends then, so its client reconnects and reaches the new one.
    /// A primary that is lost and comes back without another one in between keeps its token.
    /// </summary>
    public (ClusterNode? Node, CancellationToken Moved) Route()
    {
        lock (gate)
        {
            return (primary is null ? null : nodes.First(node => node.Name == primary.Node), routeMoved.Token);
        }
    }

    /// <summary>The current primary, its term (else the highest term seen) and every node's view, by name.</summary>
    public (string? Primary, long Term, IReadOnlyList<NodeView> Nodes) Snapshot()
    {
        lock (gate)
        {
            var term = primary?.Term ?? views.Values.Max(view => view.Term);
            return (primary?.Node, term, [.. views.Values.OrderBy(view => view.Node, StringComparer.Ordinal)]);
        }
    }

    /// <summary>
    /// <paramref name="responder"/> refused a command with 421: it is not primary at
    /// <paramref name="term"/> and names <paramref name="primaryHint"/> (or nobody). Polls stay the
    /// ground truth; this only lets the next request go to the right node before the next poll.
    /// </summary>
    public void ObserveNotPrimary(string responder, string? primaryHint, long term)
    {
        lock (gate)
        {
            if (views.TryGetValue(responder, out var refusing) && refusing.Term <= term)
            {
                views[responder] = refusing with { Role = Role.Secondary, Term = term };
            }
            // A node we heard from directly at a newer term, or as Secondary in that same term, cannot
            // be primary at that term: ignore a stale hint.
            if (primaryHint is not null && views.TryGetValue(primaryHint, out var hinted)
                && (hinted.Term < term || hinted.Term == term && hinted.Role != Role.Secondary))
            {
                views[primaryHint] = hinted with { Reachable = true, Role = Role.Primary, Term = term };
            }
            ElectPrimary(source: $"not_primary from {responder}");
        }
    }

    /// <summary>
    /// A request forwarded to <paramref name="node"/> could not connect: it is down. Routing stops at once rather
    /// than at the next poll, which remains the ground truth (it marks the node reachable again).
    /// </summary>
    public void ObserveUnreachable(string node)
    {
        lock (gate)
        {
            if (views.TryGetValue(node, out var view) && view.Reachable)
            {
                views[node] = view with { Reachable = false };
                Log.NodeUnreachable(logger, node, "a forwarded request could not connect");
            }
            ElectPrimary(source: $"connection to {node} refused");
        }
    }

    /// <summary>Polls one node once (a long poll: it answers once the node differs from what the gateway last saw, or after
    /// <see cref="GatewayOptions.PollInterval"/>) and updates the primary; returns what it learned.</summary>
    public async Task<NodeView> PollAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        NodeView seen;
        lock (gate)
        {
            seen = views[node.Name];
        }
        var (view, failure) = await FetchAsync(node, ChangesPath(seen), cancellationToken);
        lock (gate)
        {
            var previous = views[node.Name];
            views[node.Name] = view;
            if (previous.Reachable && !view.Reachable)
            {
                Log.NodeUnreachable(logger, node.Name, failure ?? "unknown");
            }
            else if (!previous.Reachable && view.Reachable)
            {
                Log.NodeReachable(logger, node.Name);
            }
            ElectPrimary(source: $"poll of {node.Name}");
        }
        return view;
    }

    /// <summary>The long poll that answers once the node differs from <paramref name="seen"/> in role, term or primary, or
    /// after the poll interval; at once for a node not heard from.</summary>
    private string ChangesPath(NodeView seen) => seen is { Reachable: true, Role: { } role }
        ? ClusterChanges.Path(role, seen.Term, seen.ReportedPrimary, options.PollInterval)
        : ClusterChanges.Path(options.PollInterval);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(nodes.Select(node => PollLoopAsync(node, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollLoopAsync(ClusterNode node, CancellationToken stoppingToken)
    {
        while (true)
        {
            // A node that is down refuses at once: ask again after a pause rather than spin.
            if (!(await PollAsync(node, stoppingToken)).Reachable)
            {
                await Task.Delay(UnreachableRetry, stoppingToken);
            }
        }
    }

    /// <summary>How soon a node that could not be reached is asked again (the old fixed poll rate): how late its return is seen.</summary>
    private static readonly TimeSpan UnreachableRetry = TimeSpan.FromMilliseconds(100);

    private async Task<(NodeView View, string? Failure)> FetchAsync(ClusterNode node, string path, CancellationToken cancellationToken)
    {
        var patience = options.PollInterval + options.PollTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(patience);
        // A poll per node every interval would drown the real traces; the nodes do not trace /cluster either.
        using var untraced = SuppressInstrumentationScope.Begin();
        try
        {
            using var response = await http.GetAsync(new Uri(node.Address, path), timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (NodeView.Unreachable(node.Name), $"/cluster answered {(int)response.StatusCode}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
            return NodeView.FromReport(node.Name, document.RootElement.Clone()) is { } view
                ? (view, null)
                : (NodeView.Unreachable(node.Name), "/cluster JSON is not a node's status");
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException
                                          && !cancellationToken.IsCancellationRequested)
        {
            return (NodeView.Unreachable(node.Name), exception is OperationCanceledException
                ? $"no answer within {patience.TotalMilliseconds} ms"
                : exception.Message);
        }
    }

    // Called under gate after any view changes.
    private void ElectPrimary(string source)
    {
        NodeView? elected = null;
        foreach (var view in views.Values)
        {
            // Two primaries in one term cannot happen in Raft; on a tie keep the current one so
            // routing does not flap.
            if (view.ClaimsPrimary && (elected is null || view.Term > elected.Term
                                       || view.Term == elected.Term && view.Node == primary?.Node))
            {
                elected = view;
            }
        }
        var previous = primary;
        primary = elected;
        if (elected is not null && elected.Node != routedNode)
        {
            routedNode = elected.Node;
            var moved = routeMoved;
            routeMoved = new CancellationTokenSource();
            // Asynchronously: the callbacks close connections, which must not run under this lock.
            _ = moved.CancelAsync();
        }
        if (elected?.Node == previous?.Node)
        {
            return;
        }
        if (elected is null)
        {
            primaryLostAt = System.Diagnostics.Stopwatch.GetTimestamp();
            Log.PrimaryLost(logger, previous?.Node ?? "none", source);
            return;
        }
        if (primaryLostAt is { } lostAt)
        {
            telemetry.PrimaryRegained(System.Diagnostics.Stopwatch.GetElapsedTime(lostAt));
            primaryLostAt = null;
        }
        Log.PrimaryChanged(logger, elected.Node, elected.Term, previous?.Node ?? "none", source);
        telemetry.PrimarySwitched(elected.Node);
    }
}
