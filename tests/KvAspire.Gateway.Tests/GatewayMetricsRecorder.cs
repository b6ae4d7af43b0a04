using System.Diagnostics.Metrics;

namespace KvAspire.Gateway.Tests;

/// <summary>
/// Records the measurements of one gateway's meter (the one its IMeterFactory created), so tests
/// running in parallel with other gateways do not see each other's numbers.
/// </summary>
public sealed class GatewayMetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<int> _statuses = [];
    private readonly List<double> _withoutPrimary = [];

    public GatewayMetricsRecorder(IMeterFactory gatewayMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.MeterName && instrument.Meter.Scope == gatewayMeters)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name != "kv.gateway.requests")
                return;
            foreach (var tag in tags)
            {
                if (tag.Key == "http.response.status_code")
                    lock (_statuses)
                        _statuses.Add((int)tag.Value!);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "kv.gateway.no_primary.duration")
                lock (_withoutPrimary)
                    _withoutPrimary.Add(value);
        });
        _listener.Start();
    }

    public int Requests(int status)
    {
        lock (_statuses)
            return _statuses.Count(s => s == status);
    }

    public IReadOnlyList<double> WithoutPrimary
    {
        get
        {
            lock (_withoutPrimary)
                return [.. _withoutPrimary];
        }
    }

    public void Dispose() => _listener.Dispose();
}
