using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KvAspire.Node.Telemetry;

/// <summary>The node's ActivitySource and Meter. Their names are part of the interface (DESIGN §7).</summary>
public static class KvTelemetry
{
    public const string Name = "KvAspire.Node";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("kv.commands", description: "Client commands by command and result");
    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram<double>("kv.command.duration", unit: "s", description: "Client command latency by command and result");
}
