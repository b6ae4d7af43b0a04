using System.Diagnostics.Metrics;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>Instruments with one unit each, and the last failover as a plain number.</summary>
public sealed class NodeMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, string? Unit, double Value, string? Peer)> _measurements = [];
    private readonly NodeMetrics _metrics;

    public NodeMetricsTests()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        _metrics = new NodeMetrics(meters);
        // Only this test's meter: other tests' nodes in the same process publish the same instruments.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? peer = null;
        foreach (var tag in tags)
            if (tag.Key == "peer")
                peer = (string?)tag.Value;
        _measurements.Add((instrument.Name, instrument.Unit, value, peer));
    }

    [Fact]
    public void ReplicationLag_IsTwoInstruments_SecondsAndEntries_EachWithItsOwnUnit()
    {
        _metrics.Observe(() => Status(new PeerStatus("b", 90, 10, 1.5, "replicate", 0.1, true)));

        _listener.RecordObservableInstruments();

        Assert.Contains((KvTelemetry.Instruments.ReplicationLag, "s", 1.5, "b"), _measurements);
        Assert.Contains((KvTelemetry.Instruments.ReplicationLagEntries, "{entry}", 10.0, "b"), _measurements);
        Assert.Contains((KvTelemetry.Instruments.PeerInContact, (string?)null, 1.0, "b"), _measurements);
    }

    [Fact]
    public void LastFailoverDuration_IsTheMeasuredDuration_NotABucketBound()
    {
        _metrics.Observe(() => Status());
        _listener.RecordObservableInstruments();
        Assert.DoesNotContain(_measurements, m => m.Instrument == KvTelemetry.Instruments.LastFailoverDuration);

        _metrics.FailoverCompleted(TimeSpan.FromSeconds(6.72));
        _listener.RecordObservableInstruments();

        Assert.Contains((KvTelemetry.Instruments.FailoverDuration, "s", 6.72, null), _measurements);
        Assert.Contains((KvTelemetry.Instruments.LastFailoverDuration, "s", 6.72, null), _measurements);
    }

    private static ClusterStatus Status(params PeerStatus[] peers) =>
        new("a", Role.Primary, ClusterState.Normal, 3, "a", 100, 100, "0", 100, 3, 1, true, 0, 0, 0, null, null, peers);

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
