using System.Diagnostics;
using System.Globalization;

namespace KvAspire.Bench;

/// <summary>
/// Successful operations per fixed time bucket since <see cref="Start"/>, for throughput-over-time
/// plots. Lock-free: workers on any thread increment their bucket.
/// </summary>
public sealed class Timeline(TimeSpan bucket, TimeSpan capacity)
{
    private readonly long[] _counts = new long[(int)Math.Ceiling(capacity / bucket) + 1];
    private readonly long _bucketTicks = (long)(bucket.TotalSeconds * Stopwatch.Frequency);

    public long Start { get; } = Stopwatch.GetTimestamp();

    public void Count(long timestamp)
    {
        var i = (timestamp - Start) / _bucketTicks;
        // Operations past the capacity are still counted by the caller's totals, only not plotted.
        if (i >= 0 && i < _counts.Length)
            Interlocked.Increment(ref _counts[i]);
    }

    /// <summary>Writes "t_s,ops_per_s" rows with t relative to <paramref name="origin"/> (e.g. the kill).</summary>
    public void WriteCsv(string path, long origin, TimeSpan upTo)
    {
        var offset = (double)(Start - origin) / Stopwatch.Frequency;
        var buckets = Math.Min(_counts.Length, (int)Math.Ceiling(upTo / bucket));
        using var writer = new StreamWriter(path);
        writer.WriteLine("t_s,ops_per_s");
        for (var i = 0; i < buckets; i++)
        {
            var t = offset + i * bucket.TotalSeconds;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t:0.###},{Volatile.Read(ref _counts[i]) / bucket.TotalSeconds:0}"));
        }
    }
}
