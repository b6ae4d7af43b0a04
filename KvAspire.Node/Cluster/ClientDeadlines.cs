using System.Collections.Concurrent;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Clients waiting on the host loop, answered with <c>timedOut</c> if the loop has not answered them within one shared
/// timeout: a queue swept on every tick instead of a timer per write or read. Sharing one timeout, the deadlines come in
/// arrival order, so a sweep stops at the first wait that is neither answered nor due. It runs beside the loop (on the
/// tick timer), so clients get their answer even while the loop is stuck.
/// </summary>
internal sealed class ClientDeadlines<T>(TimeSpan timeout, TimeProvider time, Func<TimeSpan, T> timedOut)
{
    private readonly ConcurrentQueue<(long Due, TaskCompletionSource<T> Completion)> _waiting = new();
    private readonly long _timeout = (long)(timeout.TotalSeconds * time.TimestampFrequency);

    /// <summary>The answer to <paramref name="completion"/>: the loop's, or <c>timedOut</c> once the timeout has passed.</summary>
    public Task<T> Wait(TaskCompletionSource<T> completion)
    {
        _waiting.Enqueue((time.GetTimestamp() + _timeout, completion));
        return completion.Task;
    }

    /// <summary>Answers the waits that are due and forgets those already answered. One caller at a time (the tick timer).</summary>
    public void Sweep()
    {
        var now = time.GetTimestamp();
        while (_waiting.TryPeek(out var oldest) && (oldest.Completion.Task.IsCompleted || oldest.Due <= now))
        {
            _waiting.TryDequeue(out _);
            if (!oldest.Completion.Task.IsCompleted)
                oldest.Completion.TrySetResult(timedOut(timeout));
        }
    }
}
