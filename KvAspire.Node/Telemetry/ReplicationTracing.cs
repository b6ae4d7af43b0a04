using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// On the primary: a <c>replicate</c> span per batch of sampled client entries shipped to one secondary, from
/// send until that secondary acknowledges them. Batches mix many clients' writes, so the span is a child of the
/// first sampled command in the batch and links to the others. The span's context travels with the batch, so the
/// secondary's spans (<see cref="SecondaryTracing"/>) join the write's trace. Host loop only.
/// </summary>
public sealed class ReplicationTracing(string node)
{
    /// <summary>A secondary that stops answering must not make open spans pile up.</summary>
    private const int MaxOpenPerPeer = 1024;
    private readonly Dictionary<string, Queue<Open>> _open = [];

    /// <summary>
    /// Starts the span <paramref name="message"/> travels under, before it is sent (so no span of the secondary's
    /// starts before it), and returns its context; default when the message carries no sampled write. For an
    /// unsampled batch this only looks up each entry in <paramref name="commandOf"/>, and allocates nothing.
    /// </summary>
    /// <param name="commandOf">The span of the sampled client command waiting on the entry at an index, if any.</param>
    public ActivityContext Sending(Message message, Func<long, ActivityContext?> commandOf)
    {
        if (message is not Replicate { Entries.Count: > 0 } replicate)
            return default;
        ActivityContext parent = default;
        long parentIndex = 0;
        List<ActivityLink>? others = null;
        var entries = replicate.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            if (commandOf(entries[i].Index) is not { } command)
                continue;
            if (parent == default)
                (parent, parentIndex) = (command, entries[i].Index);
            else
                (others ??= []).Add(new ActivityLink(command));
        }
        if (parent == default)
            return default; // no sampled client write in it (catching a secondary up, or unsampled writes)
        var span = KvTelemetry.StartDetached(KvTelemetry.Spans.Replicate, ActivityKind.Client, parent, others);
        if (span is null)
            return default;
        span.SetTag(KvTelemetry.NodeTag, node);
        span.SetTag("kv.peer", replicate.To);
        span.SetTag("kv.term", replicate.Term);
        span.SetTag("kv.first_index", entries[0].Index);
        span.SetTag("kv.last_index", entries[^1].Index);
        span.SetTag("kv.entries", entries.Count);
        var open = OpenFor(replicate.To);
        if (open.Count >= MaxOpenPerPeer)
            Finish(open.Dequeue(), ActivityStatusCode.Error, "abandoned: the secondary is not answering", parentEnded: true);
        open.Enqueue(new Open(entries[^1].Index, span, parent, parentIndex));
        return span.Context;
    }

    /// <summary>Ends the spans a secondary has now acknowledged (its match index reached their last entry).</summary>
    /// <param name="waiting">Whether a client command still waits on the entry at an index: a span whose command has
    /// completed may end after that command's span, so it gets a link to it, which says so (see <see cref="Finish"/>).</param>
    public void Acknowledged(string peer, long matchIndex, Func<long, bool> waiting)
    {
        if (!_open.TryGetValue(peer, out var open))
            return;
        while (open.TryPeek(out var oldest) && oldest.LastIndex <= matchIndex)
            Finish(open.Dequeue(), ActivityStatusCode.Ok, null, parentEnded: !waiting(oldest.ParentIndex));
    }

    /// <summary>This node stopped being primary: nothing in flight will be acknowledged to it (and its commands have been failed).</summary>
    public void PrimaryLost()
    {
        foreach (var open in _open.Values)
        {
            while (open.TryDequeue(out var pending))
                Finish(pending, ActivityStatusCode.Error, "the primary role was lost", parentEnded: true);
        }
    }

    private Queue<Open> OpenFor(string peer)
    {
        if (!_open.TryGetValue(peer, out var open))
            _open[peer] = open = new Queue<Open>();
        return open;
    }

    /// <summary>
    /// Ends a span. Under quorum acknowledgement a command completes once a majority has the entry, so the slowest
    /// secondary's span can outlive its parent: it then links to that parent, the mark of a span that follows from
    /// its parent rather than nesting in it (spans nest otherwise: a child never ends after its parent).
    /// </summary>
    private static void Finish(Open open, ActivityStatusCode status, string? description, bool parentEnded)
    {
        if (parentEnded)
            open.Span.AddLink(FollowsFrom(open.Parent));
        open.Span.SetStatus(status, description);
        open.Span.Dispose();
    }

    /// <summary>A link saying the span carrying it may end after <paramref name="parent"/>, which it is a child of.</summary>
    public static ActivityLink FollowsFrom(ActivityContext parent) =>
        new(parent, new ActivityTagsCollection { ["kv.link"] = "follows_from" });

    /// <param name="ParentIndex">The entry of the command the span is a child of.</param>
    private readonly record struct Open(long LastIndex, Activity Span, ActivityContext Parent, long ParentIndex);
}
