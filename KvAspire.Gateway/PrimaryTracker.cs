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
/// The nodes watched are the seeds and the members the nodes' answers name (PrimaryTracker.Members.cs).
/// </summary>
public sealed partial class PrimaryTracker : BackgroundService
{
    private readonly HttpClient http;
    private readonly GatewayOptions options;
    private readonly ILogger<PrimaryTracker> logger;
    private readonly GatewayTelemetry telemetry;

    private readonly Lock gate = new();
    private readonly Dictionary<string, WatchedNode> watched; // guarded by gate
    private NodeView? primary; // guarded by gate; written only by ElectPrimary
    private long? primaryLostAt; // guarded by gate: when the last known primary was lost, while none is known
    private string? routedNode; // guarded by gate: the last node elected primary
    private CancellationTokenSource routeMoved = new(); // guarded by gate: cancelled when another node is elected
    private CancellationToken? stopping; // guarded by gate: set once the tracker runs; a node's loop starts only then

    /// <param name="seeds">The nodes watched from the start and never dropped.</param>
    /// <param name="nodesChanged">Told every node set after a member is learnt or dropped, in order, never under the
    /// tracker's lock: the proxy's destinations follow it.</param>
    public PrimaryTracker(
        IReadOnlyList<ClusterNode> seeds, HttpClient http, IOptions<GatewayOptions> options,
        ILogger<PrimaryTracker> logger, GatewayTelemetry telemetry, Action<IReadOnlyList<ClusterNode>>? nodesChanged = null)
    {
        this.http = http;
        this.options = options.Value;
        this.logger = logger;
        this.telemetry = telemetry;
        template = NodeTemplate.From(this.options);
        this.nodesChanged = nodesChanged ?? (_ => { });
        watched = seeds.ToDictionary(node => node.Name, node => new WatchedNode(node, seed: true));
    }

    /// <summary>Every node behind the gateway now, with its addresses, by name.</summary>
    public IReadOnlyList<ClusterNode> Nodes
    {
        get
        {
            lock (gate)
            {
                return [.. watched.Values.Select(node => node.Node).OrderBy(node => node.Name, StringComparer.Ordinal)];
            }
        }
    }

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
            return (primary is null ? null : watched[primary.Node].Node, routeMoved.Token);
        }
    }

    /// <summary>The current primary, its term (else the highest term seen) and every node's view and addresses, by name.</summary>
    public (string? Primary, long Term, IReadOnlyList<(NodeView View, ClusterNode Node)> Nodes) Snapshot()
    {
        lock (gate)
        {
            var term = primary?.Term ?? watched.Values.Max(node => node.View.Term);
            return (primary?.Node, term, [.. watched.Values.OrderBy(node => node.Node.Name, StringComparer.Ordinal)
                .Select(node => (node.View, node.Node))]);
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
            if (watched.TryGetValue(responder, out var refusing) && refusing.View.Term <= term)
            {
                refusing.View = refusing.View with { Role = Role.Secondary, Term = term };
            }
            // A node we heard from directly at a newer term, or as Secondary in that same term, cannot
            // be primary at that term: ignore a stale hint.
            if (primaryHint is not null && watched.TryGetValue(primaryHint, out var hinted)
                && (hinted.View.Term < term || hinted.View.Term == term && hinted.View.Role != Role.Secondary))
            {
                hinted.View = hinted.View with { Reachable = true, Role = Role.Primary, Term = term };
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
            if (watched.TryGetValue(node, out var down) && down.View.Reachable)
            {
                down.View = down.View with { Reachable = false };
                Log.NodeUnreachable(logger, node, down.Node.Address, "a forwarded request could not connect");
            }
            ElectPrimary(source: $"connection to {node} refused");
        }
    }

    /// <summary>Polls one node once (a long poll: it answers once the node differs from what the gateway last saw, or after
    /// <see cref="GatewayOptions.PollInterval"/>), updates the primary and learns the members the answer names; returns
    /// what it learned. A node no longer watched is not asked.</summary>
    public async Task<NodeView> PollAsync(ClusterNode node, CancellationToken cancellationToken)
    {
        NodeView seen;
        lock (gate)
        {
            if (!watched.TryGetValue(node.Name, out var watching))
            {
                return NodeView.Unreachable(node.Name);
            }
            seen = watching.View;
        }
        var (view, failure) = await FetchAsync(node, ChangesPath(seen), cancellationToken);
        bool membersChanged;
        lock (gate)
        {
            // Dropped while it answered: what it said no longer counts.
            if (!watched.TryGetValue(node.Name, out var watching))
            {
                return view;
            }
            var previous = watching.View;
            watching.View = view;
            if (previous.Reachable && !view.Reachable)
            {
                Log.NodeUnreachable(logger, node.Name, node.Address, failure ?? "unknown");
            }
            else if (!previous.Reachable && view.Reachable)
            {
                Log.NodeReachable(logger, node.Name);
            }
            ElectPrimary(source: $"poll of {node.Name}");
            membersChanged = FollowMembers(view);
        }
        if (membersChanged)
        {
            PublishNodes();
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
        lock (gate)
        {
            stopping = stoppingToken;
            foreach (var node in watched.Values)
            {
                StartWatching(node);
            }
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        Task[] loops;
        lock (gate)
        {
            loops = [.. watched.Values.Select(node => node.Loop)];
        }
        await Task.WhenAll(loops);
    }

    // Called under gate. On the thread pool, so that the first poll does not run under the lock.
    private void StartWatching(WatchedNode node)
    {
        if (stopping is { } stoppingToken)
        {
            node.Loop = Task.Run(() => PollLoopAsync(node.Node, stoppingToken, node.Dropped.Token));
        }
    }

    private async Task PollLoopAsync(ClusterNode node, CancellationToken stoppingToken, CancellationToken dropped)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, dropped);
        try
        {
            while (true)
            {
                // A node that is down refuses at once: ask again after a pause rather than spin.
                if (!(await PollAsync(node, stop.Token)).Reachable)
                {
                    await Task.Delay(UnreachableRetry, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
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
        // Expected: refused or reset connections, a body cut short by a restart (IOException), malformed JSON, no answer in time.
        catch (Exception exception) when (exception is HttpRequestException or IOException or JsonException or OperationCanceledException
                                          && !cancellationToken.IsCancellationRequested)
        {
            return (NodeView.Unreachable(node.Name), exception is OperationCanceledException
                ? $"no answer within {patience.TotalMilliseconds} ms"
                : WithCauses(exception));
        }
        // Anything else is a bug worth its stack trace; the node's poll loop must outlive it all the same.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PollFailed(logger, exception, node.Name, node.Address);
            return (NodeView.Unreachable(node.Name), exception.Message);
        }
    }

    /// <summary>The message with its causes': an HttpRequestException's own ("Error while copying content to a stream.")
    /// says less than its cause's ("The response ended prematurely.").</summary>
    private static string WithCauses(Exception exception) =>
        exception.InnerException is { } cause ? $"{exception.Message} ({WithCauses(cause)})" : exception.Message;

    // Called under gate after any view changes.
    private void ElectPrimary(string source)
    {
        NodeView? elected = null;
        foreach (var view in watched.Values.Select(node => node.View))
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
