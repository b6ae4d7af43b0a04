using System.Collections.Concurrent;
using OpenTelemetry.Trace;

namespace KvAspire.Telemetry;

/// <summary>
/// Samples root spans up to a rate per span name, each name with its own budget: a developer's few writes are all
/// traced, while a load of thousands of commands a second records a handful of them and the rest cost no span.
/// Recording every root span (OpenTelemetry's default) took 10-17% of a loaded primary's loop and a third of its
/// allocations (bench/RESULTS.md). Each name has its own budget so that a flood of <c>kv SET</c> never starves
/// the rare spans a failover is read from (<c>election</c>). Used under <see cref="ParentBasedSampler"/>: a span
/// whose parent was sampled is recorded regardless, so a sampled write stays one trace across the nodes.
/// </summary>
public sealed class RootSpanBudget : Sampler
{
    /// <summary>Distinct names with a budget of their own; any further name shares one. Names come from the code
    /// (command names from a fixed table, the framework's activity names), but a bound keeps a bug from growing this.</summary>
    public const int MaxNames = 512;

    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);
    /// <summary>The budget every name past <see cref="MaxNames"/> shares.</summary>
    private readonly Budget _otherNames = new();
    /// <summary>Names given a budget of their own; kept beside the dictionary, whose Count takes every one of its locks.
    /// Two threads adding at once may both count a name: the bound is a guard, not a quota.</summary>
    private int _named;
    private readonly TimeProvider _time;
    private readonly long _interval;
    private readonly long _burst;

    /// <param name="perSecond">Root spans recorded per second per name, on average; 0 records none.</param>
    public RootSpanBudget(double perSecond, TimeProvider? time = null)
    {
        if (!double.IsFinite(perSecond) || perSecond < 0)
            throw new ArgumentOutOfRangeException(nameof(perSecond), perSecond, "must be a finite number of spans per second, 0 or more");
        _time = time ?? TimeProvider.System;
        _interval = perSecond == 0 ? long.MaxValue : (long)Math.Max(1, _time.TimestampFrequency / perSecond);
        // Up to one second's worth at once: a burst of a few requests after a quiet spell is traced whole.
        _burst = perSecond == 0 ? 0 : (long)(Math.Max(1, Math.Floor(perSecond)) - 1) * _interval;
        Description = $"RootSpanBudget{{{perSecond}/s per name}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (_interval == long.MaxValue)
            return new SamplingResult(SamplingDecision.Drop);
        var name = samplingParameters.Name ?? "";
        if (!_budgets.TryGetValue(name, out var budget))
            budget = Volatile.Read(ref _named) < MaxNames ? _budgets.GetOrAdd(name, NewBudget) : _otherNames;
        return new SamplingResult(budget.TryTake(_time.GetTimestamp(), _interval, _burst)
            ? SamplingDecision.RecordAndSample
            : SamplingDecision.Drop);
    }

    private Budget NewBudget(string name)
    {
        Interlocked.Increment(ref _named);
        return new Budget();
    }

    /// <summary>
    /// One name's budget as a generic cell rate algorithm: <see cref="_due"/> is when the next span would be on schedule.
    /// A span is taken when it is no more than the burst ahead of that schedule, which then moves one interval on. One
    /// compare-and-swap per decision, no lock and no timer.
    /// </summary>
    private sealed class Budget
    {
        private long _due;

        public bool TryTake(long now, long interval, long burst)
        {
            while (true)
            {
                var due = Volatile.Read(ref _due);
                var from = Math.Max(due, now);
                if (from - now > burst)
                    return false;
                if (Interlocked.CompareExchange(ref _due, from + interval, due) == due)
                    return true;
            }
        }
    }
}
