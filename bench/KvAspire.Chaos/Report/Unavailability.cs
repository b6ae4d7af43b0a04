using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Load;

namespace KvAspire.Chaos.Report;

/// <summary>p50 and p99 (nearest rank) of the faults of one kind that writes recovered from; <see cref="NeverRecovered"/>
/// counts those after which no write succeeded before the run ended.</summary>
public sealed record UnavailabilityStats(int Faults, double? P50Ms, double? P99Ms, int NeverRecovered);

/// <summary>How long writes were unavailable after each fault: from the fault's start to the first write, invoked
/// after it, that the cluster acknowledged (any client, either protocol).</summary>
public static class Unavailability
{
    /// <returns>Milliseconds, or null when no write succeeded after the fault.</returns>
    public static double? Of(FaultRecord fault, IReadOnlyList<ClientOp> ops)
    {
        var first = ops.Where(o => o.IsWrite && o.Result == OpResult.Ok && o.Operation.Call >= fault.Start)
            .Select(o => o.Operation.Return!.Value).DefaultIfEmpty(-1).Min();
        return first < 0 ? null : (first - fault.Start) / 1000.0;
    }

    public static IReadOnlyDictionary<FaultKind, UnavailabilityStats> ByKind(IReadOnlyList<FaultRecord> faults, IReadOnlyList<ClientOp> ops) =>
        faults.Where(f => f.Injected).GroupBy(f => f.Fault.Kind).OrderBy(g => g.Key).ToDictionary(g => g.Key, g =>
        {
            var times = g.Select(f => Of(f, ops)).ToList();
            var recovered = times.OfType<double>().Order().ToList();
            return new UnavailabilityStats(times.Count, Percentile(recovered, 50), Percentile(recovered, 99), times.Count - recovered.Count);
        });

    /// <summary>Nearest-rank percentile of sorted values; null for none.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double percent) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
