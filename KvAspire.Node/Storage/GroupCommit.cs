namespace KvAspire.Node.Storage;

/// <summary>
/// The log's writes and fsyncs, on a thread of their own beside the host loop. The loop encodes entries and hands over
/// their write with a sync request; while a sync runs, further writes queue up in order and the newest sync request
/// replaces the one waiting, so one fsync covers everything written meanwhile (group commit) and the loop waits for
/// neither the disk nor the page cache. Each finished fsync is reported with the last entry it covers; a failed write or
/// fsync with its exception, since after one nothing written since the last good fsync can be trusted to be on disk.
/// </summary>
public sealed class GroupCommit : IDisposable
{
    private readonly object _gate = new();
    private readonly Action<long, long, Exception?> _durable;
    private readonly Thread _thread;
    private List<Action> _writes = [];
    /// <summary>The sync thread's list, swapped with <see cref="_writes"/> so that neither side allocates one per batch.</summary>
    private List<Action> _writing = [];
    private (Action Sync, long Index, long Term)? _waiting;
    private bool _stopping;

    /// <param name="durable">Called on the sync thread with (index, term) of the last entry made durable, or the failure.</param>
    public GroupCommit(Action<long, long, Exception?> durable)
    {
        _durable = durable;
        _thread = new Thread(Run) { IsBackground = true, Name = "kvaspire-group-commit" };
        _thread.Start();
    }

    /// <summary>Asks for <paramref name="work"/>'s write to run after those asked for before, then its sync, after which
    /// the entries up to <paramref name="index"/> (of <paramref name="term"/>) are durable; its sync replaces a sync
    /// request still waiting, which it covers.</summary>
    public void Request(LogWrite work, long index, long term)
    {
        lock (_gate)
        {
            if (work.Write is { } write)
                _writes.Add(write);
            _waiting = (work.Sync, index, term);
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            (Action Sync, long Index, long Term) next;
            lock (_gate)
            {
                while (_waiting is null && !_stopping)
                    Monitor.Wait(_gate);
                if (_waiting is null)
                    return;
                next = _waiting.Value;
                _waiting = null;
                (_writes, _writing) = (_writing, _writes);
            }
            Exception? failure = null;
            // Every write runs even after one failed: each releases its buffer and whoever waits for the writes to finish.
            foreach (var write in _writing)
            {
                var failed = Attempt(write);
                failure ??= failed;
            }
            _writing.Clear();
            failure ??= Attempt(next.Sync);
            _durable(next.Index, next.Term, failure);
        }
    }

    private static Exception? Attempt(Action io)
    {
        try
        {
            io();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e;
        }
    }

    /// <summary>Runs the writes and the sync still waiting, if any, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
    }
}
