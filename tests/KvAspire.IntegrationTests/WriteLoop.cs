using System.Diagnostics;
using StackExchange.Redis;

namespace KvAspire.IntegrationTests;

/// <summary>
/// Starts a SET every 20 ms without waiting for the one before, so a write stuck on the dead primary
/// does not hold back the next; records when each successful write was started.
/// </summary>
public sealed class WriteLoop : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _succeededStarts = [];
    private Task _loop = Task.CompletedTask;
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    public static WriteLoop Start(IDatabase db, string prefix)
    {
        var loop = new WriteLoop();
        loop._loop = loop.RunAsync(db, prefix);
        return loop;
    }

    /// <summary>The start time of the first successful write started at or after <paramref name="since"/>.</summary>
    public async Task<long> WaitForSuccessAfterAsync(long since, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (_succeededStarts)
            {
                foreach (var started in _succeededStarts)
                {
                    if (started >= since)
                        return started;
                }
            }
            await Task.Delay(Interval);
        }
        throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s ({Failures} writes failed meanwhile)");
    }

    private async Task RunAsync(IDatabase db, string prefix)
    {
        var pending = new List<Task>();
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            pending.Add(WriteAsync(db, $"{prefix}:{i}"));
            pending.RemoveAll(t => t.IsCompleted);
            await Task.Delay(Interval);
        }
        await Task.WhenAll(pending);
    }

    private async Task WriteAsync(IDatabase db, string key)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await db.StringSetAsync(key, "v");
            lock (_succeededStarts)
                _succeededStarts.Add(started);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _stop.Dispose();
    }
}
