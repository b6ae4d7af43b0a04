using System.Buffers;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The writes of one connection that were proposed while earlier ones were still replicating, each
/// with its own reply buffer, so a pipeline of N writes waits for one round of replication instead
/// of N, and the replies still leave in the order the commands came. Write replies are a few bytes
/// (+OK, an integer, an error), and at most <see cref="MaxInFlight"/> are held. Used by one
/// connection's loop only.
/// </summary>
public sealed class RespPendingWrites
{
    public const int MaxInFlight = 1024;

    private readonly Queue<(ValueTask Write, ArrayBufferWriter<byte> Reply)> _pending = new();
    private readonly Stack<ArrayBufferWriter<byte>> _free = new();

    public bool IsFull => _pending.Count >= MaxInFlight;

    /// <summary>Starts a write: <paramref name="execute"/> proposes it at once and writes its reply to the buffer it is given.</summary>
    public void Start(Func<IBufferWriter<byte>, ValueTask> execute)
    {
        var reply = _free.Count > 0 ? _free.Pop() : new ArrayBufferWriter<byte>(64);
        _pending.Enqueue((execute(reply), reply));
    }

    /// <summary>Waits for every started write in order and copies its reply to <paramref name="output"/>.</summary>
    public async ValueTask DrainAsync(IBufferWriter<byte> output)
    {
        while (_pending.TryDequeue(out var pending))
        {
            await pending.Write;
            output.Write(pending.Reply.WrittenSpan);
            pending.Reply.ResetWrittenCount();
            _free.Push(pending.Reply);
        }
    }
}
