using System.Diagnostics.Metrics;

namespace KvAspire.Gateway.Tests;

/// <summary>
/// Records the measurements of one gateway's meters (those its IMeterFactory created), so tests running in parallel
/// with other gateways do not see each other's numbers: ASP.NET Core's request duration of the forwarded /kv route, and
/// the gateway's own time without a primary.
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
            if (instrument.Meter.Name is GatewayTelemetry.MeterName or HostingMeter && instrument.Meter.Scope == gatewayMeters)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "kv.gateway.no_primary.duration")
            {
                lock (_withoutPrimary)
                    _withoutPrimary.Add(value);
            }
            else if (instrument.Name == "http.server.request.duration" && StatusOfAKeyRequest(tags) is { } status)
            {
                lock (_statuses)
                    _statuses.Add(status);
            }
        });
        _listener.Start();
    }

    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";

    private static int? StatusOfAKeyRequest(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? route = null;
        int? status = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route")
                route = tag.Value as string;
            else if (tag.Key == "http.response.status_code")
                status = Convert.ToInt32(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return route is not null && route.StartsWith("/kv/", StringComparison.Ordinal) ? status : null;
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
