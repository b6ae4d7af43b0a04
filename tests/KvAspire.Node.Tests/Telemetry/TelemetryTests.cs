using System.Diagnostics;
using KvAspire.Node.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>The spans and metrics DESIGN §7 promises, captured with OpenTelemetry's in-memory exporter.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private static readonly ActivitySource Client = new("KvAspire.Tests.Client");
    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly InProcessCluster _cluster = new("a", "b", "c");
    private TracerProvider _tracing = null!;
    private MeterProvider _meters = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(KvTelemetry.Name, Client.Name)
            .AddInMemoryExporter(_spans)
            .Build();
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(KvTelemetry.Name)
            .AddInMemoryExporter(_metrics)
            .Build();
        await _cluster.StartAsync();
    }

    private List<Activity> Spans()
    {
        lock (_spans)
            return [.. _spans];
    }

    private List<MetricPoint> Points(string instrument)
    {
        _metrics.Clear();
        _meters.ForceFlush();
        return [.. _metrics.Where(m => m.Name == instrument).SelectMany(m => m.MetricPoints)];
    }

    private static string? Tag(MetricPoint point, string name)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == name)
                return tag.Value?.ToString();
        }
        return null;
    }

    [Fact]
    public async Task Write_ProducesACommandSpan_UnderTheCaller_WithAReplicateSpanPerSecondary()
    {
        var primary = await _cluster.WaitForPrimaryAsync();
        ActivityContext caller;
        using (var request = Client.StartActivity("PUT /kv/{key}", ActivityKind.Server))
        {
            caller = request!.Context;
            await _cluster.Commands[primary.Node].SetAsync("user:1", "{}"u8.ToArray(), "application/json", null, CancellationToken.None);
        }

        var command = Assert.Single(Spans(), s => s.DisplayName == "kv SET" && s.TraceId == caller.TraceId);
        Assert.Equal(caller.SpanId, command.ParentSpanId);
        Assert.Equal("user:1", command.GetTagItem("db.key"));
        Assert.Contains(command.Events, e => e.Name == "commit");
        var replicates = await InProcessCluster.WaitAsync("a finished replicate span for each secondary", () =>
        {
            var found = Spans().Where(s => s.DisplayName == "replicate" && s.TraceId == caller.TraceId).ToList();
            return found.Count == 2 ? found : null;
        });
        Assert.All(replicates, r => Assert.Equal(command.SpanId, r.ParentSpanId));
        Assert.All(replicates, r => Assert.Equal(ActivityStatusCode.Ok, r.Status));
        Assert.Equal(primary.Peers.Select(p => p.Node).Order(), replicates.Select(r => (string)r.GetTagItem("kv.peer")!).Order());
    }

    [Fact]
    public async Task SampledWrite_IsOneTrace_WithEverySecondarysReceivePersistAndApply_ProperlyNested()
    {
        var primary = await _cluster.WaitForPrimaryAsync();
        var secondaries = primary.Peers.Select(p => p.Node).Order().ToList();
        ActivityTraceId trace;
        using (var request = Client.StartActivity("PUT /kv/{key}", ActivityKind.Server))
        {
            trace = request!.TraceId;
            await _cluster.Commands[primary.Node].SetAsync("traced", "{}"u8.ToArray(), "application/json", null, CancellationToken.None);
        }

        string[] perSecondary = ["replicate", "replicate.receive", "replicate.persist", "replicate.apply"];
        var spans = await InProcessCluster.WaitAsync("each secondary's receive, persist and apply spans in the write's trace", () =>
        {
            var inTrace = Spans().Where(s => s.TraceId == trace).ToList();
            var complete = perSecondary.All(name => inTrace.Count(s => s.DisplayName == name) >= secondaries.Count);
            return complete ? inTrace : null;
        });

        foreach (var secondary in secondaries)
        {
            var replicate = Assert.Single(spans, s => s.DisplayName == "replicate" && (string?)s.GetTagItem("kv.peer") == secondary);
            foreach (var name in perSecondary.Skip(1))
            {
                var span = Assert.Single(spans, s => s.DisplayName == name && (string?)s.GetTagItem(KvTelemetry.NodeTag) == secondary);
                Assert.Equal(replicate.SpanId, span.ParentSpanId);
            }
        }
        AssertNested(spans);
    }

    [Fact]
    public async Task UnsampledWrite_CarriesNoTrace_AndLeavesNoSpanOnAnyNode()
    {
        var primary = await _cluster.WaitForPrimaryAsync();
        ActivityTraceId unsampled;
        var tracedBefore = _cluster.TracedMessages;
        // A request whose caller decided not to sample it (traceparent flags 00), as ASP.NET Core would start it.
        using (var request = new Activity("PUT /kv/{key}").SetParentId(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom()).Start())
        {
            unsampled = request.TraceId;
            await _cluster.Commands[primary.Node].SetAsync("untraced", "{}"u8.ToArray(), "application/json", null, CancellationToken.None);
        }
        await InProcessCluster.WaitAsync("every node to apply the write", () =>
            _cluster.Stores.Values.All(s => s.AppliedIndex >= _cluster.Status(primary.Node).CommitIndex) ? "ok" : null);

        Assert.Equal(tracedBefore, _cluster.TracedMessages);
        Assert.DoesNotContain(Spans(), s => s.TraceId == unsampled);
    }

    [Fact]
    public async Task Election_VotersRequestVoteSpans_AreInTheCandidatesTrace_UnderItsElectionSpan()
    {
        var primary = await _cluster.WaitForPrimaryAsync();

        var election = Assert.Single(Spans(), s => s.DisplayName == "election" && (string?)s.GetTagItem("kv.outcome") == "won");
        // Every voter's answer in the winning election (pre-vote rounds before it were other elections, other traces).
        var votes = Spans().Where(s => s.DisplayName == "request_vote" && (string?)s.GetTagItem("kv.candidate") == primary.Node
            && (long?)s.GetTagItem("kv.term") == primary.Term).ToList();
        Assert.Equal(primary.Peers.Count, votes.Count(v => (bool?)v.GetTagItem("kv.pre_vote") == false));
        Assert.Contains(votes, v => (bool?)v.GetTagItem("kv.pre_vote") == false && (bool?)v.GetTagItem("kv.vote_granted") == true);
        Assert.All(votes, v =>
        {
            Assert.Equal(election.TraceId, v.TraceId);
            Assert.Equal(election.SpanId, v.ParentSpanId);
        });
        // The span, its logs and kv.term name the term the election was for (a pre-vote round asks about the next term).
        Assert.Equal(primary.Term, election.GetTagItem("kv.term"));
    }

    /// <summary>
    /// Spans nest: each starts no earlier than its parent and ends no later, unless it links to that parent (it follows
    /// from it: a slow secondary's replicate span, a secondary's apply, which come after the client was answered).
    /// </summary>
    private static void AssertNested(List<Activity> spans)
    {
        foreach (var child in spans)
        {
            if (spans.FirstOrDefault(s => s.SpanId == child.ParentSpanId) is not { } parent)
                continue;
            Assert.True(child.StartTimeUtc >= parent.StartTimeUtc, $"{child.DisplayName} starts before its parent {parent.DisplayName}");
            var follows = child.Links.Any(l => l.Context.SpanId == parent.SpanId);
            Assert.True(follows || child.StartTimeUtc + child.Duration <= parent.StartTimeUtc + parent.Duration,
                $"{child.DisplayName} on {child.GetTagItem(KvTelemetry.NodeTag)} ends after its parent {parent.DisplayName} and does not link to it");
        }
    }

    [Fact]
    public async Task Election_ProducesAnElectionSpan_RequestVoteSpans_AndCountsTheWin()
    {
        var primary = await _cluster.WaitForPrimaryAsync();

        var election = Assert.Single(Spans(), s => s.DisplayName == "election" && (string?)s.GetTagItem("kv.outcome") == "won");
        Assert.Equal(primary.Node, election.GetTagItem("kv.candidate"));
        Assert.Equal(primary.Term, election.GetTagItem("kv.term"));
        Assert.True((int)election.GetTagItem("kv.votes_received")! >= 2);
        Assert.Contains(Spans(), s => s.DisplayName == "request_vote" && (string?)s.GetTagItem("kv.candidate") == primary.Node
            && (bool?)s.GetTagItem("kv.vote_granted") == true);
        var won = Points("kv.elections").Where(p => Tag(p, "outcome") == "won").Sum(p => p.GetSumLong());
        Assert.Equal(1, won);
    }

    [Fact]
    public async Task ReplicationLag_RisesWhileASecondaryIsCutOff_AndReturnsToZeroAfterItCatchesUp()
    {
        var primary = await _cluster.WaitForAgreedPrimaryAsync();
        var secondary = primary.Peers[0].Node;
        double Lag(string unit) => Points(unit == "entries" ? "kv.replication.lag.entries" : "kv.replication.lag")
            .Where(p => Tag(p, "peer") == secondary)
            .Select(p => p.GetGaugeLastValueDouble())
            .DefaultIfEmpty(-1)
            .Max();

        _cluster.Block(secondary);
        for (var i = 0; i < 5; i++)
            await _cluster.WriteAsync($"k{i}", new byte[] { 1 });

        // The gauges read the status the loop publishes at most a tick later.
        await InProcessCluster.WaitAsync("a lag of at least 5 entries", () => Lag("entries") >= 5 ? "ok" : null);
        await InProcessCluster.WaitAsync("a lag in seconds above zero", () => Lag("seconds") > 0 ? "ok" : null);

        _cluster.Unblock(secondary);
        await InProcessCluster.WaitAsync("the secondary to catch up", () => Lag("entries") == 0 && Lag("seconds") == 0 ? "ok" : null);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _tracing.Dispose();
        _meters.Dispose();
    }
}
