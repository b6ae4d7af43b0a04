namespace KvAspire.Node.Storage;

/// <summary>
/// Log writes handed to another thread (<see cref="ILogStore.WriteLater"/>) and not yet run. Rolling to a new segment,
/// truncating, resetting or forcing the log from the loop waits for them first: a write still pending would land after
/// a truncation that should have removed it, on a file already closed, or outside an fsync that claims to cover it.
/// </summary>
internal sealed class PendingWrites
{
    private readonly object _gate = new();
    private int _count;

    /// <summary>A write was handed out; loop only.</summary>
    public void Add()
    {
        lock (_gate)
            _count++;
    }

    /// <summary>A write handed out has run, or failed; any thread.</summary>
    public void Done()
    {
        lock (_gate)
        {
            if (--_count == 0)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Returns once every write handed out has run; loop only.</summary>
    public void Wait()
    {
        lock (_gate)
        {
            while (_count > 0)
                Monitor.Wait(_gate);
        }
    }
}
