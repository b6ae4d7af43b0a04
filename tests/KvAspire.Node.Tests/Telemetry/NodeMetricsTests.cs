using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>Instruments with one unit each, and the last failover as a plain number.</summary>
public sealed class NodeMetricsTests : IDisposable
{
    private readonly MeasurementRecorder _recorder = new("peer");
    private NodeMetrics Metrics => _recorder.Metrics;

    [Fact]
    public void ReplicationLag_IsTwoInstruments_SecondsAndEntries_EachWithItsOwnUnit()
    {
        Metrics.Observe(() => Status(new PeerStatus("b", 90, 10, 1.5, "replicate", 0.1, true)));

        _recorder.Observe();

        Assert.Contains((KvTelemetry.Instruments.ReplicationLag, "s", 1.5, "b"), _recorder.Measurements);
        Assert.Contains((KvTelemetry.Instruments.ReplicationLagEntries, "{entry}", 10.0, "b"), _recorder.Measurements);
        Assert.Contains((KvTelemetry.Instruments.PeerInContact, (string?)null, 1.0, "b"), _recorder.Measurements);
    }

    [Fact]
    public void MaxReplicationLag_IsTheWorstSecondarys_InOneSeriesWithoutAPeer()
    {
        // The dashboard's default graph adds an instrument's series up: of the per-peer lag, 2 s for these two, which
        // neither secondary lags by.
        Metrics.Observe(() => Status(new PeerStatus("b", 90, 10, 1.5, "replicate", 0.1, true),
            new PeerStatus("c", 60, 40, 0.5, "replicate", 0.1, true)));

        _recorder.Observe();

        Assert.Equal([(KvTelemetry.Instruments.ReplicationMaxLag, "s", 1.5, null)], Measured(KvTelemetry.Instruments.ReplicationMaxLag));
        Assert.Equal([(KvTelemetry.Instruments.ReplicationMaxLagEntries, "{entry}", 40.0, null)],
            Measured(KvTelemetry.Instruments.ReplicationMaxLagEntries));
    }

    [Fact]
    public void MaxReplicationLag_IsNotMeasured_OffThePrimary()
    {
        Metrics.Observe(() => Status(Role.Secondary, new PeerStatus("b", null, null, null, null, 0.1, true)));

        _recorder.Observe();

        Assert.Empty(Measured(KvTelemetry.Instruments.ReplicationMaxLag));
        Assert.Empty(Measured(KvTelemetry.Instruments.ReplicationMaxLagEntries));
    }

    [Fact]
    public void LastFailoverDuration_IsTheMeasuredDuration_NotABucketBound()
    {
        Metrics.Observe(() => Status());
        _recorder.Observe();
        Assert.DoesNotContain(_recorder.Measurements, m => m.Instrument == KvTelemetry.Instruments.LastFailoverDuration);

        Metrics.FailoverCompleted(TimeSpan.FromSeconds(6.72));
        _recorder.Observe();

        Assert.Contains((KvTelemetry.Instruments.FailoverDuration, "s", 6.72, null), _recorder.Measurements);
        Assert.Contains((KvTelemetry.Instruments.LastFailoverDuration, "s", 6.72, null), _recorder.Measurements);
    }

    [Fact]
    public void ElectionOutcomes_AreSeriesAtZero_FromTheFirstCollection_EvenIfTheListenerCameAfterTheMetrics()
    {
        // As in the node: the metrics exist before the exporter listens (the recorder starts after building them), so a
        // zero added at construction would be lost; each outcome is added to at the first collection instead.
        using var recorder = new MeasurementRecorder("outcome");
        recorder.Metrics.Observe(() => Status());
        Assert.DoesNotContain(recorder.Measurements, m => m.Instrument == KvTelemetry.Instruments.Elections);

        recorder.Observe();
        recorder.Observe();

        var outcomes = recorder.Measurements.Where(m => m.Instrument == KvTelemetry.Instruments.Elections).ToList();
        Assert.Equal(NodeMetrics.ElectionOutcomes.Order(), outcomes.Select(m => m.Tag!).Order());
        Assert.All(outcomes, m => Assert.Equal(0, m.Value));
    }

    [Theory]
    [InlineData(Role.Primary, 1.0)]
    [InlineData(Role.Secondary, 0.0)]
    [InlineData(Role.Candidate, 0.0)]
    public void IsPrimary_IsOneOnlyOnThePrimary_BesideTheRoleNumber(Role role, double expected)
    {
        Metrics.Observe(() => Status(role));

        _recorder.Observe();

        Assert.Contains((KvTelemetry.Instruments.IsPrimary, (string?)null, expected, null), _recorder.Measurements);
        Assert.Contains((KvTelemetry.Instruments.Role, (string?)null, (double)(int)role, null), _recorder.Measurements);
    }

    private List<(string Instrument, string? Unit, double Value, string? Tag)> Measured(string instrument) =>
        [.. _recorder.Measurements.Where(m => m.Instrument == instrument)];

    private static ClusterStatus Status(params PeerStatus[] peers) => Status(Role.Primary, peers);

    private static ClusterStatus Status(Role role, params PeerStatus[] peers) =>
        new("a", role, ClusterState.Normal, 3, "a", 100, 100, "0", 100, 3, 1, true, 0, 0, 0, null, null, peers);

    public void Dispose() => _recorder.Dispose();
}
