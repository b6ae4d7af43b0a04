using System.Text;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// This node's publish/subscribe: which connections listen to which channels and patterns, and
/// delivery of a PUBLISH to them. Messages stay on this node, as in a Redis primary without replicas:
/// clients subscribe where they publish. KvAspire itself publishes the primary changes here
/// (<see cref="PrimaryAnnouncer"/>). Names are bytes, kept as Latin-1 text (one char per byte).
/// </summary>
public sealed class RespPubSub
{
    private static readonly byte[] MessageKind = "message"u8.ToArray();
    private static readonly byte[] PatternMessageKind = "pmessage"u8.ToArray();

    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<RespSubscriber>> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<RespSubscriber>> _patterns = new(StringComparer.Ordinal);

    /// <summary>False when <paramref name="subscriber"/> already listened to <paramref name="channel"/>.</summary>
    public bool Subscribe(RespSubscriber subscriber, string channel) => Add(_channels, subscriber.Channels, subscriber, channel);

    public bool Unsubscribe(RespSubscriber subscriber, string channel) => Remove(_channels, subscriber.Channels, subscriber, channel);

    public bool PatternSubscribe(RespSubscriber subscriber, string pattern) => Add(_patterns, subscriber.Patterns, subscriber, pattern);

    public bool PatternUnsubscribe(RespSubscriber subscriber, string pattern) => Remove(_patterns, subscriber.Patterns, subscriber, pattern);

    /// <summary>Forgets every subscription of a connection that ended.</summary>
    public void Leave(RespSubscriber subscriber)
    {
        lock (_lock)
        {
            foreach (var channel in subscriber.Channels)
                Forget(_channels, subscriber, channel);
            foreach (var pattern in subscriber.Patterns)
                Forget(_patterns, subscriber, pattern);
            subscriber.Channels.Clear();
            subscriber.Patterns.Clear();
        }
    }

    /// <summary>Queues <paramref name="message"/> for every subscriber of <paramref name="channel"/> and of each
    /// matching pattern; returns how many deliveries that made, as PUBLISH answers.</summary>
    public int Publish(string channel, ReadOnlySpan<byte> message)
    {
        lock (_lock)
        {
            var receivers = 0;
            if (_channels.TryGetValue(channel, out var listeners))
            {
                var push = Encode(MessageKind, Latin1(channel), message.ToArray());
                foreach (var subscriber in listeners)
                    subscriber.Deliver(push);
                receivers += listeners.Count;
            }
            foreach (var (pattern, matching) in _patterns)
            {
                if (!RespGlob.IsMatch(pattern, channel))
                    continue;
                var push = Encode(PatternMessageKind, Latin1(pattern), Latin1(channel), message.ToArray());
                foreach (var subscriber in matching)
                    subscriber.Deliver(push);
                receivers += matching.Count;
            }
            return receivers;
        }
    }

    /// <summary>A RESP2 push: an array of bulk strings, encoded once and shared by every receiver.</summary>
    private static byte[] Encode(params byte[][] items)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(buffer, items.Length);
        foreach (var item in items)
            RespWriter.WriteBulk(buffer, item);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Latin1(string name) => Encoding.Latin1.GetBytes(name);

    private bool Add(Dictionary<string, HashSet<RespSubscriber>> index, HashSet<string> own, RespSubscriber subscriber, string name)
    {
        lock (_lock)
        {
            if (!own.Add(name))
                return false;
            if (!index.TryGetValue(name, out var subscribers))
                index[name] = subscribers = [];
            subscribers.Add(subscriber);
            return true;
        }
    }

    private bool Remove(Dictionary<string, HashSet<RespSubscriber>> index, HashSet<string> own, RespSubscriber subscriber, string name)
    {
        lock (_lock)
        {
            if (!own.Remove(name))
                return false;
            Forget(index, subscriber, name);
            return true;
        }
    }

    private static void Forget(Dictionary<string, HashSet<RespSubscriber>> index, RespSubscriber subscriber, string name)
    {
        if (index.TryGetValue(name, out var subscribers) && subscribers.Remove(subscriber) && subscribers.Count == 0)
            index.Remove(name);
    }
}
