using System.Diagnostics;

namespace KvAspire.IntegrationTests;

/// <summary>Waits on a condition, never on a fixed sleep: polls until it holds or a named deadline passes.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="probe"/> until it returns a non-null value; fails naming <paramref name="what"/>
    /// and the last problem seen if <paramref name="timeout"/> passes first.</summary>
    public static async Task<T> ResultAsync<T>(string what, TimeSpan timeout, Func<Task<T?>> probe) where T : class
    {
        var clock = Stopwatch.StartNew();
        string lastProblem = "no attempt finished";
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await probe() is { } result)
                    return result;
                lastProblem = "condition not met yet";
            }
            // What a node that is down or between primaries answers: refused HTTP or RESP connections, timeouts, and
            // Redis errors such as READONLY from a node that has just stopped being primary.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                or StackExchange.Redis.RedisException or TimeoutException)
            {
                lastProblem = $"{e.GetType().Name}: {e.Message}";
            }
            await Task.Delay(PollInterval);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last: {lastProblem}");
    }

    public static Task UntilAsync(string what, TimeSpan timeout, Func<Task<bool>> condition) =>
        ResultAsync(what, timeout, async () => await condition() ? "ok" : null);
}
