using System.Diagnostics;
using System.Net.Http.Json;
using KvAspire.Contracts;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Polls one secondary's <c>GET /cluster</c> back to back and completes each waiter once the node
/// reports an <c>appliedIndex</c> at or past the waiter's index, with the time that answer arrived.
/// The poll's round trip is the measurement's resolution, so it is kept too.
/// </summary>
public sealed class AppliedIndexWatcher(HttpClient client, string nodeUrl)
{
    private readonly List<(long Index, TaskCompletionSource<long> Seen)> _waiters = [];
    private long _polls;
    private long _pollTicks;

    public double MeanPollMs => _polls == 0 ? double.NaN : Latency.Micros(_pollTicks / _polls) / 1000.0;

    /// <summary>Completes with the Stopwatch timestamp of the first poll showing <paramref name="index"/> applied.</summary>
    public Task<long> AppliedAsync(long index)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
            _waiters.Add((index, seen));
        return seen.Task;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            long applied;
            try
            {
                applied = (await client.GetFromJsonAsync<ClusterStatus>($"{nodeUrl}/cluster", stop))!.AppliedIndex;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            var answered = Stopwatch.GetTimestamp();
            _polls++;
            _pollTicks += answered - started;
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Where(w => w.Index <= applied))
                    waiter.Seen.TrySetResult(answered);
                _waiters.RemoveAll(w => w.Index <= applied);
            }
        }
    }
}
