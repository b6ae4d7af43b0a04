using System.Diagnostics;
using System.Runtime.CompilerServices;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// What the exporter sends for a failover, through the service defaults' own OpenTelemetry pipeline (cumulative
/// temporality, as the dashboard receives it): the duration measured, and points that start when it happened, not
/// when the process did (the dashboard draws a series' first point from its start time).
/// </summary>
[Collection(nameof(MetricTimestampCollection))]
public sealed class MetricTimestampTests : IAsyncLifetime
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(50);
    private readonly List<MetricSnapshot> _exported = [];
    private readonly List<Activity> _elections = [];
    private readonly ActivityListener _electionSpans;
    // Names no other test uses: a node's meter is tagged with its name and the tests' meters are shared, so another test's
    // node "a" that failed over earlier would already have created this stream.
    private InProcessCluster _cluster = null!;
    private IHost _telemetry = null!;
    private MeterProvider _meters = null!;

    public MetricTimestampTests()
    {
        // The winner's election span ends as it wins, on the node's own clock: the end of the failover it measures.
        _electionSpans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KvTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = span =>
            {
                if (span.DisplayName == KvTelemetry.Spans.Election)
                {
                    lock (_elections)
                        _elections.Add(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_electionSpans);
    }

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureOpenTelemetry();
        // Exported only when the test flushes, so the test reads each export whole.
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_exported,
            reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue));
        _telemetry = builder.Build();
        await _telemetry.StartAsync();
        _meters = _telemetry.Services.GetRequiredService<MeterProvider>();
        await StartClusterAsync();
    }

    /// <summary>
    /// A cluster whose first primary all follow, with no failover yet: on a loaded machine the first primary can lose its
    /// role before the test cuts it off, and that failover would create the instruments the test watches being created.
    /// Then the cluster is replaced by a new one (new names, so new instrument streams).
    /// </summary>
    private async Task<ClusterStatus> StartClusterAsync()
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var before = Exported(KvTelemetry.Instruments.FailoverDuration).Count;
            _cluster = new InProcessCluster($"timed{attempt}a", $"timed{attempt}b", $"timed{attempt}c");
            await _cluster.StartAsync();
            var primary = await _cluster.WaitForAgreedPrimaryAsync();
            if (Exported(KvTelemetry.Instruments.FailoverDuration).Count == before)
            {
                _earlier = [.. Exported(KvTelemetry.Instruments.FailoverDuration).Concat(Exported(KvTelemetry.Instruments.LastFailoverDuration))
                    .Select(p => p.StartTime)];
                return primary;
            }
            Assert.True(attempt < attempts, $"every one of {attempts} clusters failed over by itself before the test could cut its primary off");
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Failover_IsExportedWithItsMeasuredDuration_StartingWhenItHappened()
    {
        // A primary all follow: cutting off a deposed one would only let the test take the real primary's earlier
        // election for a failover.
        var old = await _cluster.WaitForAgreedPrimaryAsync();
        var blockedAt = DateTimeOffset.UtcNow;
        _cluster.Block(old.Node);

        var winner = await NewPrimaryAsync(old);
        var wonAt = WonAt(winner);
        // The node times a failover from the last Replicate of the old primary its loop read before it campaigned, to its
        // win. Ticks and peer messages reach its loop in one lane, in the order they were handed over, so that is the last
        // Replicate handed to it, unless a tick posted while that hand-over was under way started the election: then it is
        // the one before. The other messages of the old primary (an answer to a pre-vote a slow machine caused) are not the
        // primary being heard. A test watching the role change from outside would add its own scheduling delays, which on a
        // loaded machine exceed the tolerance.
        var (lastHeard, previousHeard) = _cluster.LastReplicates(old.Node, winner);
        var (shortest, longest) = ((wonAt - lastHeard.After - Tolerance).TotalSeconds, (wonAt - previousHeard.Before + Tolerance).TotalSeconds);

        var duration = await ExportedAsync(KvTelemetry.Instruments.FailoverDuration);
        var last = await ExportedAsync(KvTelemetry.Instruments.LastFailoverDuration);
        Assert.InRange(duration.GetHistogramSum(), shortest, longest);
        Assert.InRange(last.GetGaugeLastValueDouble(), shortest, longest);
        foreach (var point in new[] { duration, last })
        {
            // Before the fix both started when the node did, long before the failover, and were drawn there.
            Assert.InRange(point.StartTime, blockedAt, wonAt + Tolerance);
            Assert.True(point.EndTime >= point.StartTime);
        }
    }

    /// <summary>When <paramref name="winner"/>'s election span ended with it winning.</summary>
    private DateTimeOffset WonAt(string winner)
    {
        var won = WinningElection(winner);
        return new DateTimeOffset(won.StartTimeUtc + won.Duration, TimeSpan.Zero);
    }

    /// <summary><paramref name="winner"/>'s last election span that it won.</summary>
    private Activity WinningElection(string winner)
    {
        lock (_elections)
            return _elections.Last(s => (string?)s.GetTagItem(KvTelemetry.NodeTag) == winner && (string?)s.GetTagItem("kv.outcome") == "won");
    }

    /// <summary>The node that wins after <paramref name="old"/> is cut off.</summary>
    private async Task<string> NewPrimaryAsync(ClusterStatus old)
    {
        var others = old.Peers.Select(p => p.Node).ToList();
        var deadline = DateTimeOffset.UtcNow + InProcessCluster.Patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            // Taken before the statuses are read, so a change between the two still wakes the wait.
            var changed = Task.WhenAny(others.Select(n => _cluster.Host(n).RoleChanged));
            if (others.FirstOrDefault(n => _cluster.Status(n) is { Role: Role.Primary } s && s.Term > old.Term) is { } winner)
                return winner;
            await changed.WaitAsync(InProcessCluster.Patience);
        }
        throw new TimeoutException($"Timed out after {InProcessCluster.Patience.TotalSeconds} s waiting for a primary after {old.Node}");
    }

    /// <summary>Start times of the failover points an earlier cluster of this test left in the process's meters.</summary>
    private HashSet<DateTimeOffset> _earlier = [];

    /// <summary>The points of <paramref name="instrument"/> exported now.</summary>
    private List<MetricPoint> Exported(string instrument)
    {
        lock (_exported)
        {
            _exported.Clear();
            _meters.ForceFlush();
            return [.. _exported.Where(m => m.Name == instrument).SelectMany(m => m.MetricPoints)];
        }
    }

    /// <summary>The point of <paramref name="instrument"/> this cluster's failover created, in the next export that has it.</summary>
    private async Task<MetricPoint> ExportedAsync(string instrument) =>
        (await InProcessCluster.WaitAsync($"an exported point of {instrument}", () =>
            Exported(instrument).Where(p => !_earlier.Contains(p.StartTime)).Select(p => new StrongBox<MetricPoint>(p)).FirstOrDefault())).Value;

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _telemetry.StopAsync();
        _telemetry.Dispose();
        _electionSpans.Dispose();
    }
}

/// <summary>Alone: the exporter hears every node's <c>KvAspire.Node</c> meter in the process, other tests' failovers too.</summary>
[CollectionDefinition(nameof(MetricTimestampCollection), DisableParallelization = true)]
public sealed class MetricTimestampCollection;
