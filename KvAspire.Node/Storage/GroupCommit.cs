namespace KvAspire.Node.Storage;

/// <summary>
/// A primary's fsyncs, on a thread of their own beside the host loop. The loop writes entries to the
/// operating system and asks for a sync; while one runs, further requests only replace the one waiting,
/// so one fsync covers everything written meanwhile (group commit) and the loop never waits for the disk.
/// Each finished fsync is reported with the last entry it covers; a failed one with its exception, since
/// after a failed fsync nothing written since the last good one can be trusted to be on disk.
/// </summary>
public sealed class GroupCommit : IDisposable
{
    private readonly object _gate = new();
    private readonly Action<long, long, Exception?> _durable;
    private readonly Thread _thread;
    private (Action Sync, long Index, long Term)? _waiting;
    private bool _stopping;

    /// <param name="durable">Called on the sync thread with (index, term) of the last entry made durable, or the failure.</param>
    public GroupCommit(Action<long, long, Exception?> durable)
    {
        _durable = durable;
        _thread = new Thread(Run) { IsBackground = true, Name = "kvaspire-group-commit" };
        _thread.Start();
    }

    /// <summary>Asks for <paramref name="sync"/> to run, after which the entries up to <paramref name="index"/>
    /// (of <paramref name="term"/>) are durable; replaces a request still waiting, which it covers.</summary>
    public void Request(Action sync, long index, long term)
    {
        lock (_gate)
        {
            _waiting = (sync, index, term);
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
            }
            Exception? failure = null;
            try
            {
                next.Sync();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = e;
            }
            _durable(next.Index, next.Term, failure);
        }
    }

    /// <summary>Runs the request still waiting, if any, then stops the thread.</summary>
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
