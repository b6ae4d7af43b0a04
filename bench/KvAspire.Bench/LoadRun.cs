using System.Diagnostics;
using HdrHistogram;

namespace KvAspire.Bench;

/// <summary>
/// The frame every load driver shares: N clients as workers, each with its own latency histogram; a run
/// bounded by a request count, or by a duration when one is set, or by cancellation; progress output;
/// one merged result. Workers claim requests, report each outcome and stop at <see cref="Stopping"/>.
/// </summary>
public sealed class LoadRun : IDisposable
{
    private readonly string _label;
    private readonly string _operation;
    private readonly long _limit;
    private readonly CancellationTokenSource _stop;
    private long _issued;
    private long _done;
    private long _errors;
    private string? _lastError;

    public LoadRun(string label, string operation, long requests, TimeSpan duration, CancellationToken cancellationToken)
    {
        _label = label;
        _operation = operation;
        _limit = duration > TimeSpan.Zero ? long.MaxValue : requests;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration > TimeSpan.Zero)
            _stop.CancelAfter(duration);
    }

    /// <summary>Cancelled when the run's time is up or the caller cancels.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Claims up to <paramref name="size"/> requests; returns how many (0: the run has issued all it
    /// may) and the number of the first, so the total is exactly the request count.</summary>
    public int Claim(int size, out long first)
    {
        first = Interlocked.Add(ref _issued, size) - size;
        return (int)Math.Clamp(_limit - first, 0, size);
    }

    public void Succeeded() => Interlocked.Increment(ref _done);

    public void Failed(string? error)
    {
        _lastError = error;
        Interlocked.Increment(ref _errors);
    }

    /// <summary>Runs <paramref name="clients"/> workers (each given its seed, 1..N) to the end and merges what they measured.</summary>
    public async Task<LoadResult> RunAsync(int clients, Func<int, Task<LongHistogram>> worker)
    {
        var started = Stopwatch.GetTimestamp();
        await using (new Progress($"{_label} {_operation}", () => Interlocked.Read(ref _done), () => Interlocked.Read(ref _errors)))
        {
            var histograms = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => worker(i + 1))));
            return new LoadResult(_label, _operation.ToUpperInvariant(), Interlocked.Read(ref _done), Interlocked.Read(ref _errors),
                Stopwatch.GetElapsedTime(started), Latency.Merge(histograms), _lastError);
        }
    }

    public void Dispose() => _stop.Dispose();
}
