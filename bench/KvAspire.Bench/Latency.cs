using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace KvAspire.Bench;

/// <summary>
/// Latencies in microseconds. HdrHistogram's histograms are not thread-safe, so each worker records
/// into its own and <see cref="Merge"/> adds them up once the workers are done.
/// </summary>
public static class Latency
{
    /// <summary>One minute: a request slower than that is a hang, and is clamped rather than lost.</summary>
    private const long HighestMicros = 60_000_000;

    public static LongHistogram NewHistogram() => new(HighestMicros, 3);

    public static void Record(LongHistogram histogram, long startTimestamp, long endTimestamp) =>
        histogram.RecordValue(Math.Min(HighestMicros, Micros(endTimestamp - startTimestamp)));

    public static long Micros(long stopwatchTicks) => stopwatchTicks * 1_000_000 / Stopwatch.Frequency;

    public static LongHistogram Merge(IEnumerable<LongHistogram> parts)
    {
        var total = NewHistogram();
        foreach (var part in parts)
            total.Add(part);
        return total;
    }

    public static double Ms(this LongHistogram h, double percentile) =>
        h.TotalCount == 0 ? double.NaN : h.GetValueAtPercentile(percentile) / 1000.0;

    public static double MaxMs(this LongHistogram h) => h.TotalCount == 0 ? double.NaN : h.GetMaxValue() / 1000.0;

    public static string Summary(this LongHistogram h) => string.Create(CultureInfo.InvariantCulture,
        $"p50 {h.Ms(50):0.###} ms, p99 {h.Ms(99):0.###} ms, p99.9 {h.Ms(99.9):0.###} ms, max {h.MaxMs():0.###} ms");

    /// <summary>
    /// Writes "percentile,latency_ms" rows (HdrHistogram's percentile iteration, 5 steps per halving of
    /// the tail), the input of the latency-distribution plot.
    /// </summary>
    public static void WritePercentileCsv(this LongHistogram h, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("percentile,latency_ms");
        foreach (var v in h.Percentiles(5))
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Percentile:0.#####},{v.ValueIteratedTo / 1000.0:0.###}"));
    }
}
