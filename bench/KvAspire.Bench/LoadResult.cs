using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;

namespace KvAspire.Bench;

/// <summary>What one load run measured: successful operations, errors, wall time and latencies.</summary>
public sealed record LoadResult(string Label, string Operation, long Ops, long Errors, TimeSpan Elapsed,
    [property: JsonIgnore] LongHistogram Latency, string? LastError)
{
    public double OpsPerSecond => Ops / Elapsed.TotalSeconds;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Label} {Operation}: {OpsPerSecond:N0} ops/s ({Ops:N0} ok, {Errors:N0} errors in {Elapsed.TotalSeconds:0.0} s); {Latency.Summary()}")
        + (LastError is null ? "" : $"; last error: {LastError}");

    /// <summary>The JSON line bench/run.sh collects: the figures, latencies in ms.</summary>
    public Dictionary<string, object?> ToRecord(string kind) => new()
    {
        ["kind"] = kind,
        ["label"] = Label,
        ["op"] = Operation,
        ["ops_per_s"] = Math.Round(OpsPerSecond, 1),
        ["ok"] = Ops,
        ["errors"] = Errors,
        ["p50_ms"] = Latency.Ms(50),
        ["p99_ms"] = Latency.Ms(99),
        ["p999_ms"] = Latency.Ms(99.9),
        ["max_ms"] = Latency.MaxMs(),
    };
}

/// <summary>Appends one JSON object per line to the file given with <c>--json</c>, if any.</summary>
public sealed class ResultLog(string? path)
{
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public void Write(Dictionary<string, object?> record)
    {
        if (path is null)
            return;
        record["at"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
        File.AppendAllText(path, JsonSerializer.Serialize(record, Options) + "\n");
    }
}
