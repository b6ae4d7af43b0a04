using System.Net;
using System.Net.Http.Json;
using KvAspire.Bench.Cluster;
using KvAspire.Chaos.Cluster;
using KvAspire.Chaos.Load;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;

namespace KvAspire.Chaos.Membership;

/// <summary>
/// The membership track: runs the planned steps through the gateway's <c>/cluster/members</c> (forwarded to the
/// primary, behind the admin secret) while the fault schedule runs beside it, so changes meet crashes, pauses,
/// partitions and elections. Each step reads the primary's own configuration, lets <see cref="MemberDecision"/> pick the
/// change, starts a spare the first time it is added, and records every change it asks for with its outcome.
/// </summary>
public sealed class MembershipDriver(ChaosCluster cluster, History history) : IDisposable
{
    /// <summary>How long a step waits for a primary whose configuration has committed before it gives up its turn.</summary>
    private static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(30);
    /// <summary>How long a change is asked again while refusals say "later" (a learner catching up, a fault lasting).</summary>
    private static readonly TimeSpan RetryWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);
    /// <summary>Longer than the node's own commit wait, so its 503 timeout arrives rather than ours.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _admin = ChaosCluster.NewClient(RequestTimeout, cluster.AdminSecret);
    private readonly List<ChangeRecord> _records = [];

    /// <summary>Every change asked for so far, in order.</summary>
    public IReadOnlyList<ChangeRecord> Records
    {
        get
        {
            lock (_records)
                return [.. _records];
        }
    }

    /// <param name="end">No step starts after this time into the run: the plan assumed steps of a few seconds, and on a
    /// loaded machine they take longer (a spare's start, a learner's catch-up, a fault's outage to wait out).</param>
    public async Task RunAsync(IReadOnlyList<MembershipStep> plan, TimeSpan end, CancellationToken cancellationToken)
    {
        var nodes = cluster.Nodes.Select(n => n.Name).ToList();
        await Task.Delay(Faults.FaultSchedule.Warmup, cancellationToken);
        foreach (var step in plan)
        {
            if (TimeSpan.FromMicroseconds(history.Now()) + step.QuietBefore > end)
            {
                Console.WriteLine($"  {history.Now() / 1e6,6:0.0} s  m{step.Number}..m{plan.Count} not run: the track ends {end.TotalSeconds:0} s into the run");
                return;
            }
            await Task.Delay(step.QuietBefore, cancellationToken);
            var configuration = await SettledConfigurationAsync(cancellationToken);
            var change = configuration is null ? null : MemberDecision.Decide(step, configuration, nodes);
            if (change is null)
            {
                Console.WriteLine($"  {history.Now() / 1e6,6:0.0} s  m{step.Number} skipped: {(configuration is null
                    ? $"no primary with a committed configuration within {SettleWait.TotalSeconds:0} s"
                    : "no change fits the configuration")}");
                continue;
            }
            if (await ChangeAsync(step, change, cancellationToken) is { Outcome: ChangeOutcome.Accepted } && change.Kind == MemberChangeKind.Add)
                await ChangeAsync(step, change with { Kind = MemberChangeKind.Promote }, cancellationToken);
        }
    }

    /// <summary>The configuration of a primary, read from the primary itself (the gateway's view can be a poll behind,
    /// and a decision on a stale count of voters could remove one too many), once nothing is under way.</summary>
    private async Task<Configuration?> SettledConfigurationAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(SettleWait);
        try
        {
            while (true)
            {
                if (await PrimaryStatusAsync(deadline.Token) is { MembershipChanging: false } primary)
                    return new Configuration(primary.Node, primary.Voters, primary.Learners, Changing: false);
                await Task.Delay(200, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<ClusterStatus?> PrimaryStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var view = await ClusterView.ReadAsync(cluster.Control, cluster.GatewayUrl, cancellationToken);
            if (view.Primary is null)
                return null;
            var status = await cluster.Control.GetFromJsonAsync<ClusterStatus>($"{cluster.Node(view.Primary).HttpUrl}/cluster", cancellationToken);
            return status is { Role: Role.Primary } ? status : null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>Asks for the change until it is accepted, refused for good, or of unknown outcome, or
    /// <see cref="RetryWait"/> has passed; records and prints how it ended.</summary>
    private async Task<ChangeRecord> ChangeAsync(MembershipStep step, MemberChange change, CancellationToken cancellationToken)
    {
        var node = cluster.Node(change.Node);
        if (change.Kind == MemberChangeKind.Add && !node.Launched)
            cluster.StartNode(node);
        var start = history.Now();
        var attempts = 0;
        while (true)
        {
            attempts++;
            var (status, code) = await SendAsync(change, cancellationToken);
            var outcome = ChangeAnswers.Classify(status, code);
            var retry = ChangeAnswers.Retry(status, code) && TimeSpan.FromMicroseconds(history.Now() - start) < RetryWait;
            if (!retry)
            {
                var answer = status is { } s ? $"{(int)s}{(code is null ? "" : " " + code)}" : code!;
                var record = new ChangeRecord(step.Number, change, start, history.Now(), attempts, outcome, answer);
                lock (_records)
                    _records.Add(record);
                Console.WriteLine($"  {history.Now() / 1e6,6:0.0} s  {record}");
                return record;
            }
            await Task.Delay(RetryInterval, cancellationToken);
        }
    }

    public void Dispose() => _admin.Dispose();

    /// <returns>The status and the problem's error code; no status, and what happened instead, when no answer came.</returns>
    private async Task<(HttpStatusCode? Status, string? Code)> SendAsync(MemberChange change, CancellationToken cancellationToken)
    {
        var members = $"{cluster.GatewayUrl}/cluster/members";
        using var request = change.Kind switch
        {
            MemberChangeKind.Add => new HttpRequestMessage(HttpMethod.Post, members) { Content = JsonContent.Create(new { id = change.Node }) },
            MemberChangeKind.Promote => new HttpRequestMessage(HttpMethod.Post, $"{members}/{change.Node}/promote"),
            _ => new HttpRequestMessage(HttpMethod.Delete, $"{members}/{change.Node}"),
        };
        try
        {
            using var response = await _admin.SendAsync(request, cancellationToken);
            return (response.StatusCode, response.IsSuccessStatusCode ? null : HttpProtocol.ErrorCode(await response.Content.ReadAsStringAsync(cancellationToken)));
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, e is TaskCanceledException ? "timeout" : e.Message);
        }
    }
}
