using System.Buffers;
using System.IO.Pipelines;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// A connection's replies on their way out: written into the transport's pipe and flushed once they
/// pass <see cref="FlushThreshold"/>, so no reply, however large, is held whole in memory. A flush that
/// does not complete at once is waiting for the client to read; one that waits longer than
/// <c>Resp:SlowClientTimeout</c> ends the connection (Redis' client-output-buffer-limit, in time).
/// Used by one connection's loop only.
/// </summary>
public sealed class RespConnectionOutput(PipeWriter pipe, TimeSpan slowClientTimeout, CancellationToken closed) : IBufferWriter<byte>
{
    /// <summary>Replies beyond this are flushed before more are written.</summary>
    public const int FlushThreshold = 256 * 1024;

    public void Advance(int count) => pipe.Advance(count);

    public Memory<byte> GetMemory(int sizeHint = 0) => pipe.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => pipe.GetSpan(sizeHint);

    /// <summary>
    /// Lets a command that writes a long reply send it as it grows. Only a connection's output is
    /// flushed; replies written to a buffer (pipelined writes' replies, tests) are held whole.
    /// </summary>
    public static ValueTask FlushIfFullAsync(IBufferWriter<byte> output) =>
        output is RespConnectionOutput connection ? connection.FlushIfFullAsync() : ValueTask.CompletedTask;

    public ValueTask FlushIfFullAsync() =>
        pipe.CanGetUnflushedBytes && pipe.UnflushedBytes > FlushThreshold ? FlushAsync() : ValueTask.CompletedTask;

    /// <summary>Sends everything written; throws <see cref="SlowClientException"/> when the client does not take it in time.</summary>
    public async ValueTask FlushAsync()
    {
        var flush = pipe.FlushAsync(closed);
        if (flush.IsCompleted || slowClientTimeout == TimeSpan.Zero)
        {
            await flush;
            return;
        }
        try
        {
            await flush.AsTask().WaitAsync(slowClientTimeout, closed);
        }
        catch (TimeoutException)
        {
            throw new SlowClientException();
        }
    }
}

/// <summary>The client did not take its replies within <c>Resp:SlowClientTimeout</c>.</summary>
public sealed class SlowClientException : Exception;
