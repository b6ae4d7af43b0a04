using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace KvAspire.Gateway;

/// <summary>The gateway's Meter and instrument names (part of the dashboard's interface).</summary>
public sealed class GatewayTelemetry
{
    public const string MeterName = "KvAspire.Gateway";

    private readonly Counter<long> primarySwitches;
    private readonly Histogram<double> withoutPrimary;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        primarySwitches = meter.CreateCounter<long>(
            "kv.gateway.primary_switches", unit: "{switch}",
            description: "Times the gateway started routing to a different primary.");
        withoutPrimary = meter.CreateHistogram(
            "kv.gateway.no_primary.duration", unit: "s",
            description: "Each stretch without a known primary (clients got 503), from losing one to routing to the next.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 4, 6, 8, 10, 15, 30, 60] });
    }

    public void PrimarySwitched(string primary) =>
        primarySwitches.Add(1, new KeyValuePair<string, object?>("kv.primary", primary));

    public void PrimaryRegained(TimeSpan without) => withoutPrimary.Record(without.TotalSeconds);

    /// <summary>
    /// HttpClient's per-request instruments, which the service defaults collect. In the gateway they time each forwarded
    /// request a second time (ASP.NET Core's <c>http.server.request.duration</c> already has it, as does the node's own), and
    /// the primary tracker's long polls, whose duration is the node's wait. Not collected, they cost nothing per request:
    /// SocketsHttpHandler skips an instrument nobody listens to. Its per-connection instruments stay.
    /// </summary>
    public static IReadOnlyList<string> DuplicateRequestInstruments { get; } =
        ["http.client.request.duration", "http.client.active_requests", "http.client.request.time_in_queue"];

    public static void DropDuplicateRequestInstruments(MeterProviderBuilder metrics)
    {
        foreach (var instrument in DuplicateRequestInstruments)
        {
            metrics.AddView(instrument, MetricStreamConfiguration.Drop);
        }
    }
}
