using System.Collections.Concurrent;
using System.Diagnostics;
using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>Every operation of a run, with times in microseconds on one monotonic clock that starts with the run.
/// Thread-safe: every client adds to it.</summary>
public sealed class History
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly ConcurrentQueue<ClientOp> _ops = new();

    /// <summary>Microseconds since the run started.</summary>
    public long Now() => (long)Stopwatch.GetElapsedTime(_started).TotalMicroseconds;

    public void Add(Operation call, Answer answer, string via)
    {
        var completed = Now();
        var operation = call with
        {
            Output = answer.Result == OpResult.Ok ? answer.Output : null,
            Return = answer.Result == OpResult.Ok ? completed : null,
        };
        _ops.Enqueue(new ClientOp(operation, answer.Result, completed, via, answer.Error));
    }

    public IReadOnlyList<ClientOp> Ops => [.. _ops];

    /// <summary>What the checker judges (<see cref="ClientOp.BelongsInHistory"/>).</summary>
    public IReadOnlyList<Operation> ForChecker() => [.. _ops.Where(o => o.BelongsInHistory).Select(o => o.Operation)];
}
