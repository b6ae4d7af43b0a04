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
        var primary = await _cluster.WaitForPrimaryAsync();
        var secondary = primary.Peers[0].Node;
        double Lag(string unit) => Points(unit == "entries" ? "kv.replication.lag.entries" : "kv.replication.lag")
            .Where(p => Tag(p, "peer") == secondary)
            .Select(p => p.GetGaugeLastValueDouble())
            .DefaultIfEmpty(-1)
            .Max();

        _cluster.Block(secondary);
        for (var i = 0; i < 5; i++)
            await _cluster.Commands[primary.Node].SetAsync($"k{i}", new byte[] { 1 }, null, null, CancellationToken.None);
        await Task.Yield();

        Assert.True(Lag("entries") >= 5, $"lag in entries was {Lag("entries")}");
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
