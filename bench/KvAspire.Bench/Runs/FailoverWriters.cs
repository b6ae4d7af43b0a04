using System.Diagnostics;
using HdrHistogram;
using KvAspire.Bench.Http;

namespace KvAspire.Bench.Runs;

/// <summary>
/// The steady client load of a failover round: N writers, each PUTting its next key as soon as the
/// previous request ended (success, error or timeout), remembering when every successful write was
/// sent and answered.
/// </summary>
public sealed class FailoverWriters(HttpClient client, HttpRequests requests, Timeline timeline, int writers)
{
    private readonly List<(long Sent, long Answered)>[] _successes = [.. Enumerable.Range(0, writers).Select(_ => new List<(long, long)>())];
    private long _errors;

    public long Errors => Interlocked.Read(ref _errors);

    public async Task<LongHistogram> RunAsync(CancellationToken stop)
    {
        var histograms = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriterAsync(w, stop))));
        return Latency.Merge(histograms);
    }

    /// <summary>When the first write sent after <paramref name="after"/> succeeded (polled: writers never block on it).</summary>
    public async Task<long> WaitForSuccessSentAfterAsync(long after, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var first = Successes().Where(s => s.Sent > after).Select(s => s.Answered).DefaultIfEmpty(long.MaxValue).Min();
            if (first != long.MaxValue)
                return first;
            await Task.Delay(5, cancellationToken);
        }
        throw new TimeoutException($"no write succeeded within {timeout.TotalSeconds:0} s of the kill");
    }

    /// <summary>The answer time of the last write that succeeded before <paramref name="moment"/>.</summary>
    public long LastSuccessBefore(long moment) =>
        Successes().Where(s => s.Answered < moment).Select(s => s.Answered).DefaultIfEmpty(moment).Max();

    private List<(long Sent, long Answered)> Successes()
    {
        var all = new List<(long, long)>();
        foreach (var list in _successes)
        {
            lock (list)
                all.AddRange(list);
        }
        return all;
    }

    private async Task<LongHistogram> WriterAsync(int writer, CancellationToken stop)
    {
        var histogram = Latency.NewHistogram();
        var mine = _successes[writer];
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var request = requests.Put($"failover:{writer}:{n}");
                using var response = await client.SendAsync(request, stop);
                if (response.IsSuccessStatusCode)
                {
                    var answered = Stopwatch.GetTimestamp();
                    Latency.Record(histogram, sent, answered);
                    timeline.Count(answered);
                    lock (mine)
                        mine.Add((sent, answered));
                    continue;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // A refused connection or a timeout during the failover: counted, and the writer goes on at once.
            }
            Interlocked.Increment(ref _errors);
            // 503 from the gateway comes back at once: a short pause keeps the loop from spinning the CPU the cluster needs.
            await Task.Delay(5, CancellationToken.None);
        }
        return histogram;
    }
}
