using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

/// <summary>A real log store whose fsyncs fail once <see cref="Fail"/> is set, as on a full or dying disk.</summary>
internal sealed class FailingFsync(ILogStore inner) : ILogStore
{
    public volatile bool Fail;

    public IReadOnlyList<Entry> Load() => inner.Load();
    public void Append(IReadOnlyList<Entry> entries) => inner.Append(entries);
    public void TruncateFrom(long index) => inner.TruncateFrom(index);
    public void Compact(long through) => inner.Compact(through);
    public void ResetAfter(long snapshotIndex) => inner.ResetAfter(snapshotIndex);
    public long SizeBytes => inner.SizeBytes;

    public void Flush(bool durable)
    {
        if (durable && Fail)
            throw new IOException("No space left on device (injected)");
        inner.Flush(durable);
    }

    public LogWrite WriteLater()
    {
        var work = inner.WriteLater();
        return work with
        {
            Sync = () =>
            {
                if (Fail)
                    throw new IOException("Input/output error (injected)");
                work.Sync();
            },
        };
    }

    public void Dispose() => inner.Dispose();
}
