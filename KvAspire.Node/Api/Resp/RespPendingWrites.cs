using System.Buffers;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The writes of one connection that were proposed while earlier ones were still replicating, each
/// with its own reply buffer, so a pipeline of N writes waits for one round of replication instead
/// of N, and the replies still leave in the order the commands came. Write replies are a few bytes
/// (+OK, an integer, an error). At most <see cref="MaxInFlight"/> writes, and at most
/// <see cref="MaxInFlightBytes"/> of their commands (a copy of each is held until it is applied), are in
/// flight: otherwise one client pipelining large writes could make the node hold any amount of them.
/// Used by one connection's loop only.
/// </summary>
public sealed class RespPendingWrites
{
    public const int MaxInFlight = 1024;
    public const long MaxInFlightBytes = 32L * 1024 * 1024;

    private readonly Queue<(ValueTask Write, ArrayBufferWriter<byte> Reply, long Bytes)> _pending = new();
    private readonly Stack<ArrayBufferWriter<byte>> _free = new();
    private long _bytes;

    /// <summary>Whether a write of a <paramref name="bytes"/>-byte command must wait for the pending ones to finish
    /// first. A single write of any size may always start.</summary>
    public bool WouldOverflow(long bytes) =>
        _pending.Count >= MaxInFlight || (_pending.Count > 0 && _bytes + bytes > MaxInFlightBytes);

    /// <summary>Starts a write of a <paramref name="bytes"/>-byte command: <paramref name="execute"/> proposes it at once
    /// and writes its reply to the buffer it is given.</summary>
    public void Start(Func<IBufferWriter<byte>, ValueTask> execute, long bytes)
    {
        var reply = _free.Count > 0 ? _free.Pop() : new ArrayBufferWriter<byte>(64);
        _pending.Enqueue((execute(reply), reply, bytes));
        _bytes += bytes;
    }

    /// <summary>Waits for every started write in order and copies its reply to <paramref name="output"/>.</summary>
    public async ValueTask DrainAsync(IBufferWriter<byte> output)
    {
        while (_pending.TryDequeue(out var pending))
        {
            await pending.Write;
            _bytes -= pending.Bytes;
            output.Write(pending.Reply.WrittenSpan);
            pending.Reply.ResetWrittenCount();
            _free.Push(pending.Reply);
        }
    }
}
