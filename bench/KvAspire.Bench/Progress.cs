using System.Diagnostics;

namespace KvAspire.Bench;

/// <summary>
/// Prints a line to stderr every few seconds while a long run goes on (count so far and the recent
/// rate), so a slow run is visibly alive and stdout keeps only the results.
/// </summary>
public sealed class Progress : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Progress(string label, Func<long> done, Func<long> errors)
    {
        _loop = Task.Run(async () =>
        {
            var started = Stopwatch.StartNew();
            long last = 0;
            using var timer = new PeriodicTimer(Every);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = done();
                Console.Error.WriteLine(
                    $"  [{label}] {started.Elapsed.TotalSeconds:0} s: {now:N0} ops ({(now - last) / Every.TotalSeconds:N0}/s lately), {errors():N0} errors");
                last = now;
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
