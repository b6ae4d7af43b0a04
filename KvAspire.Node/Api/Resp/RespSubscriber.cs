using System.Buffers;
using System.Collections.Concurrent;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// One connection's subscriptions (channels and patterns) and the messages published to it that its
/// loop has not written yet. Publishers only queue a message and wake the loop, so every byte a
/// connection sends is still written by that connection's own loop, and a connection that never
/// subscribes pays nothing for pub/sub. Created by the connection's first SUBSCRIBE or PSUBSCRIBE.
/// </summary>
public sealed class RespSubscriber(RespPubSub hub, Action wake) : IDisposable
{
    /// <summary>Redis' hard client-output-buffer-limit for pub/sub clients: a subscriber that falls this far behind is closed.</summary>
    public const long MaxPendingBytes = 32L * 1024 * 1024;

    private readonly ConcurrentQueue<byte[]> _pending = new();
    private long _pendingBytes;
    private volatile bool _overflowed;

    /// <summary>Channels and patterns as Latin-1 text: one char per byte, so any name round-trips exactly.</summary>
    internal HashSet<string> Channels { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> Patterns { get; } = new(StringComparer.Ordinal);

    public RespPubSub Hub => hub;

    /// <summary>Channels plus patterns: Redis' subscription count, and while above 0 the connection is in subscribed mode.</summary>
    public int Count => Channels.Count + Patterns.Count;

    /// <summary>More than <see cref="MaxPendingBytes"/> waited to be written: the connection must close.</summary>
    public bool Overflowed => _overflowed;

    /// <summary>Queues one encoded push message; called by publishers on any thread.</summary>
    internal void Deliver(byte[] message)
    {
        if (Interlocked.Add(ref _pendingBytes, message.Length) > MaxPendingBytes)
            _overflowed = true;
        else
            _pending.Enqueue(message);
        wake();
    }

    /// <summary>Writes every queued message; called by the connection's loop only.</summary>
    public void WritePending(IBufferWriter<byte> output)
    {
        while (_pending.TryDequeue(out var message))
        {
            RespWriter.WriteRaw(output, message);
            Interlocked.Add(ref _pendingBytes, -message.Length);
        }
    }

    /// <summary>Leaves every channel and pattern when the connection ends.</summary>
    public void Dispose() => hub.Leave(this);
}
