using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// A <c>replicate</c> span per batch of client entries shipped to one secondary, from send until
/// that secondary acknowledges them. Batches mix many clients' writes, so the span is a child of the
/// first client command in the batch and links to the others. Host loop only.
/// </summary>
public sealed class ReplicationTracing(string node)
{
    /// <summary>A secondary that stops answering must not make open spans pile up.</summary>
    private const int MaxOpenPerPeer = 1024;
    private readonly Dictionary<string, Queue<(long LastIndex, Activity Span)>> _open = [];

    public void Sent(IReadOnlyList<Message> messages, Func<long, ActivityContext?> commandOf)
    {
        foreach (var message in messages)
        {
            if (message is not Replicate { Entries.Count: > 0 } replicate)
                continue;
            var commands = new List<ActivityContext>();
            foreach (var entry in replicate.Entries)
            {
                if (commandOf(entry.Index) is { } context)
                    commands.Add(context);
            }
            if (commands.Count == 0)
                continue; // catching a secondary up on old entries: no client is waiting on this batch
            var span = KvTelemetry.StartDetached(KvTelemetry.Spans.Replicate, ActivityKind.Client, commands[0],
                commands.Skip(1).Select(c => new ActivityLink(c)));
            if (span is null)
                continue;
            span.SetTag(KvTelemetry.NodeTag, node);
            span.SetTag("kv.peer", replicate.To);
            span.SetTag("kv.term", replicate.Term);
            span.SetTag("kv.first_index", replicate.Entries[0].Index);
            span.SetTag("kv.last_index", replicate.Entries[^1].Index);
            span.SetTag("kv.entries", replicate.Entries.Count);
            var open = OpenFor(replicate.To);
            if (open.Count >= MaxOpenPerPeer)
                Finish(open.Dequeue().Span, ActivityStatusCode.Error, "abandoned: the secondary is not answering");
            open.Enqueue((replicate.Entries[^1].Index, span));
        }
    }

    /// <summary>Ends the spans a secondary has now acknowledged (its match index reached their last entry).</summary>
    public void Acknowledged(string peer, long matchIndex)
    {
        if (!_open.TryGetValue(peer, out var open))
            return;
        while (open.TryPeek(out var oldest) && oldest.LastIndex <= matchIndex)
            Finish(open.Dequeue().Span, ActivityStatusCode.Ok, null);
    }

    /// <summary>This node stopped being primary: nothing in flight will be acknowledged to it.</summary>
    public void LeadershipLost()
    {
        foreach (var open in _open.Values)
        {
            while (open.TryDequeue(out var pending))
                Finish(pending.Span, ActivityStatusCode.Error, "leadership lost");
        }
    }

    private Queue<(long LastIndex, Activity Span)> OpenFor(string peer)
    {
        if (!_open.TryGetValue(peer, out var open))
            _open[peer] = open = new Queue<(long LastIndex, Activity Span)>();
        return open;
    }

    private static void Finish(Activity span, ActivityStatusCode status, string? description)
    {
        span.SetStatus(status, description);
        span.Dispose();
    }
}
