using System.IO.Pipelines;

namespace KvAspire.Node.Tests.Resp;

/// <summary>A pipe writer that remembers the most replies the server ever held unflushed: how much it buffered at once.</summary>
internal sealed class MeasuredPipeWriter(PipeWriter inner) : PipeWriter
{
    private long _maxUnflushedBytes;

    public long MaxUnflushedBytes => Interlocked.Read(ref _maxUnflushedBytes);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes)
    {
        inner.Advance(bytes);
        if (inner.UnflushedBytes > MaxUnflushedBytes)
            Interlocked.Exchange(ref _maxUnflushedBytes, inner.UnflushedBytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);
}
