using System.Diagnostics.Metrics;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// A <see cref="NodeMetrics"/> of its own and every measurement its instruments take, as (instrument, unit, value,
/// tag). Only this meter is listened to: other tests' nodes in the same process publish the same instruments.
/// </summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, string? Unit, double Value, string? Tag)> _measurements = [];

    /// <param name="tag">The tag whose value each measurement is recorded with (e.g. "peer", "reason").</param>
    public MeasurementRecorder(string tag)
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        Metrics = new NodeMetrics(meters);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags, tag));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags, tag));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags, tag));
        _listener.Start();
    }

    public NodeMetrics Metrics { get; }

    public IReadOnlyList<(string Instrument, string? Unit, double Value, string? Tag)> Measurements
    {
        get
        {
            lock (_measurements)
                return [.. _measurements];
        }
    }

    /// <summary>Takes a measurement of every observable instrument now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string tagName)
    {
        string? tagValue = null;
        foreach (var tag in tags)
            if (tag.Key == tagName)
                tagValue = tag.Value?.ToString();
        lock (_measurements)
            _measurements.Add((instrument.Name, instrument.Unit, value, tagValue));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
