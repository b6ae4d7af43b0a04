using System.Diagnostics.Metrics;

namespace KvAspire.Gateway;

/// <summary>The gateway's Meter and instrument names (part of the dashboard's interface).</summary>
public sealed class GatewayTelemetry
{
    public const string MeterName = "KvAspire.Gateway";

    private readonly Counter<long> primarySwitches;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        primarySwitches = meter.CreateCounter<long>(
            "kv.gateway.primary_switches", unit: "{switch}",
            description: "Times the gateway started routing to a different primary.");
    }

    public void PrimarySwitched(string primary) =>
        primarySwitches.Add(1, new KeyValuePair<string, object?>("kv.primary", primary));
}
