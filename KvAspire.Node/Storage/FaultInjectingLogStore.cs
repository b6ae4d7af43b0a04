namespace KvAspire.Node.Storage;

/// <summary>
/// The log store on a slow or failing disk (<see cref="StorageFaultInjection"/>): each fsync of the log is delayed, and
/// the one after the allowed count throws the <see cref="IOException"/> a failing disk gives, which stops the node as a
/// real one would. Everything else goes straight to the real store. Fsyncs come from the host loop and the group-commit
/// thread, hence the interlocked count.
/// </summary>
public sealed class FaultInjectingLogStore(ILogStore inner, StorageFaultInjection faults) : ILogStore
{
    private int _fsyncs;

    public IReadOnlyList<Consensus.Entry> Load() => inner.Load();
    public void Append(IReadOnlyList<Consensus.Entry> entries) => inner.Append(entries);
    public void TruncateFrom(long index) => inner.TruncateFrom(index);
    public void Compact(long through) => inner.Compact(through);
    public void ResetAfter(long snapshotIndex) => inner.ResetAfter(snapshotIndex);
    public long SizeBytes => inner.SizeBytes;

    public void Flush(bool durable)
    {
        if (durable)
            BeforeFsync();
        inner.Flush(durable);
    }

    public LogWrite WriteLater()
    {
        var work = inner.WriteLater();
        return work with
        {
            Sync = () =>
            {
                BeforeFsync();
                work.Sync();
            },
        };
    }

    public void Dispose() => inner.Dispose();

    private void BeforeFsync()
    {
        if (faults.FsyncDelay > TimeSpan.Zero)
            Thread.Sleep(faults.FsyncDelay);
        if (Interlocked.Increment(ref _fsyncs) > faults.FailFsyncAfter)
            throw new IOException($"Input/output error (Storage:FaultInjection:FailFsyncAfter={faults.FailFsyncAfter})");
    }
}
