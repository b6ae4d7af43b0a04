using System.Buffers;
using System.Text;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE and PUBLISH with Redis' RESP2 replies, and what a
/// connection may do in subscribed mode. StackExchange.Redis needs them: its subscription connection
/// listens on <c>__Booksleeve_MasterChanged</c> and re-reads every node's role when anything arrives.
/// </summary>
public sealed class RespPubSubCommands(RespPubSub hub)
{
    private static readonly byte[] SubscribeKind = "subscribe"u8.ToArray();
    private static readonly byte[] UnsubscribeKind = "unsubscribe"u8.ToArray();
    private static readonly byte[] PatternSubscribeKind = "psubscribe"u8.ToArray();
    private static readonly byte[] PatternUnsubscribeKind = "punsubscribe"u8.ToArray();

    /// <summary>True while the connection has a subscription: then only the commands of <see cref="IsAllowedWhileSubscribed"/> run.</summary>
    public static bool IsSubscribed(RespSession session) => session.Subscriber is { Count: > 0 };

    /// <summary>Redis' RESP2 rule: a subscribed connection only (un)subscribes, pings and quits.</summary>
    public static bool IsAllowedWhileSubscribed(RespCommandId command) => command is RespCommandId.Subscribe or RespCommandId.Unsubscribe
        or RespCommandId.PSubscribe or RespCommandId.PUnsubscribe or RespCommandId.Ping or RespCommandId.Quit;

    public static string NotAllowedWhileSubscribed(string command) =>
        $"ERR Can't execute '{command}': only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT are allowed in this context";

    /// <summary><c>SUBSCRIBE channel [channel ...]</c>: one confirmation per channel, with the connection's subscription count.</summary>
    public void Subscribe(RespSession session, RespArguments args, IBufferWriter<byte> output) =>
        Join(session, args, output, SubscribeKind, hub.Subscribe);

    public void PatternSubscribe(RespSession session, RespArguments args, IBufferWriter<byte> output) =>
        Join(session, args, output, PatternSubscribeKind, hub.PatternSubscribe);

    /// <summary><c>UNSUBSCRIBE [channel ...]</c>: no channel means all of them; with none subscribed, one reply with a null channel.</summary>
    public void Unsubscribe(RespSession session, RespArguments args, IBufferWriter<byte> output) =>
        Leave(session, args, output, UnsubscribeKind, s => s.Channels, hub.Unsubscribe);

    public void PatternUnsubscribe(RespSession session, RespArguments args, IBufferWriter<byte> output) =>
        Leave(session, args, output, PatternUnsubscribeKind, s => s.Patterns, hub.PatternUnsubscribe);

    /// <summary><c>PUBLISH channel message</c>: how many subscribers of this node received it.</summary>
    public void Publish(RespArguments args, IBufferWriter<byte> output)
    {
        var message = args[2];
        var receivers = message.IsSingleSegment ? hub.Publish(Name(args, 1), message.FirstSpan) : hub.Publish(Name(args, 1), message.ToArray());
        WriteInteger(output, receivers);
    }

    /// <summary>PING in subscribed mode answers <c>["pong", message]</c>, as Redis does on RESP2.</summary>
    public static void Ping(RespArguments args, IBufferWriter<byte> output)
    {
        WriteArrayHeader(output, 2);
        WriteBulk(output, "pong"u8);
        if (args.Count == 2)
            WriteBulk(output, args[1]);
        else
            WriteBulk(output, ReadOnlySpan<byte>.Empty);
    }

    private void Join(RespSession session, RespArguments args, IBufferWriter<byte> output, byte[] kind, Func<RespSubscriber, string, bool> add)
    {
        var subscriber = session.Subscriber ??= new RespSubscriber(hub, session.Wake);
        for (var i = 1; i < args.Count; i++)
        {
            var name = Name(args, i);
            add(subscriber, name);
            WriteConfirmation(output, kind, name, subscriber.Count);
        }
    }

    private static void Leave(RespSession session, RespArguments args, IBufferWriter<byte> output, byte[] kind,
        Func<RespSubscriber, HashSet<string>> names, Func<RespSubscriber, string, bool> remove)
    {
        var subscriber = session.Subscriber;
        var leaving = args.Count > 1
            ? Enumerable.Range(1, args.Count - 1).Select(i => Name(args, i)).ToList()
            : subscriber is null ? [] : [.. names(subscriber)];
        if (leaving.Count == 0)
        {
            WriteArrayHeader(output, 3);
            WriteBulk(output, kind);
            WriteNull(output);
            WriteInteger(output, subscriber?.Count ?? 0);
            return;
        }
        foreach (var name in leaving)
        {
            if (subscriber is not null)
                remove(subscriber, name);
            WriteConfirmation(output, kind, name, subscriber?.Count ?? 0);
        }
    }

    private static void WriteConfirmation(IBufferWriter<byte> output, byte[] kind, string name, int count)
    {
        WriteArrayHeader(output, 3);
        WriteBulk(output, kind);
        WriteBulk(output, Encoding.Latin1.GetBytes(name));
        WriteInteger(output, count);
    }

    private static string Name(RespArguments args, int index) => Encoding.Latin1.GetString(args[index]);
}
