using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// On a secondary: the spans of sampled writes, in the write's own trace, under the primary's <c>replicate</c>
/// span their batch travelled under (<see cref="ReplicationTracing"/>): <c>replicate.receive</c> (from arrival to
/// the loop stepping it), <c>replicate.persist</c> (writing it until it is reported on disk) and <c>replicate.apply</c>. The
/// first two end before this node acknowledges, so they nest in the replicate span, which ends at that
/// acknowledgement; an entry is applied only once this node hears it committed, after it acknowledged, so the
/// apply span links to its parent (<see cref="ReplicationTracing.FollowsFrom"/>). Host loop only, except
/// <see cref="Receiving"/>. With no traced batch in flight every call is one check of an empty queue.
/// </summary>
public sealed class SecondaryTracing(string node)
{
    /// <summary>Batches remembered until applied; a primary that never commits them must not make this grow.</summary>
    private const int MaxTraced = 1024;
    private readonly Queue<Traced> _traced = new();
    /// <summary>Persist spans whose entries are written but not yet reported durable, in index order.</summary>
    private readonly Queue<(long Last, Activity Span)> _persisting = new();

    /// <summary>Starts the receive span of <paramref name="message"/> as it arrives (off the loop); null when it carries
    /// no sampled write.</summary>
    public static Activity? Receiving(Message message, ActivityContext trace, string node)
    {
        if (trace == default || message is not Replicate { Entries.Count: > 0 } replicate)
            return null;
        var span = KvTelemetry.StartDetached(KvTelemetry.Spans.ReplicateReceive, ActivityKind.Server, trace);
        span?.SetTag(KvTelemetry.NodeTag, node);
        span?.SetTag("kv.primary", replicate.From);
        span?.SetTag("kv.first_index", replicate.Entries[0].Index);
        span?.SetTag("kv.last_index", replicate.Entries[^1].Index);
        return span;
    }

    /// <summary>The loop stepped the message: its receive span ends, and its entries are remembered under its trace.</summary>
    public void Received(Message message, Activity? receive, ActivityContext trace)
    {
        if (receive is null || message is not Replicate replicate)
            return;
        receive.Dispose();
        if (_traced.Count >= MaxTraced)
            _traced.Dequeue();
        _traced.Enqueue(new Traced(replicate.Entries[0].Index, replicate.Entries[^1].Index, trace));
    }

    /// <summary>Starts a span for persisting <paramref name="entries"/> when they hold a traced batch's; it ends once they
    /// are durable (<see cref="Durable"/>), which with async storage writes is after the loop has moved on.</summary>
    public void Persisting(IReadOnlyList<Entry> entries)
    {
        if (_traced.Count == 0 || entries.Count == 0 || Start(KvTelemetry.Spans.ReplicatePersist, entries, link: false) is not { } span)
            return;
        if (_persisting.Count >= MaxTraced)
            _persisting.Dequeue().Span.Dispose();
        _persisting.Enqueue((entries[^1].Index, span));
    }

    /// <summary>The log is durable through <paramref name="index"/>: the persist spans it covers end.</summary>
    public void Durable(long index)
    {
        while (_persisting.TryPeek(out var oldest) && oldest.Last <= index)
            _persisting.Dequeue().Span.Dispose();
    }

    /// <summary>A span for applying the committed <paramref name="entries"/>, when they hold a traced batch's; batches
    /// wholly applied are forgotten.</summary>
    public Activity? Applying(IReadOnlyList<Entry> entries)
    {
        if (_traced.Count == 0 || entries.Count == 0)
            return null;
        var span = Start(KvTelemetry.Spans.ReplicateApply, entries, link: true);
        while (_traced.TryPeek(out var oldest) && oldest.Last <= entries[^1].Index)
            _traced.Dequeue();
        return span;
    }

    /// <summary>This node became primary: what it was told as a secondary is no longer awaited.</summary>
    public void Forget()
    {
        _traced.Clear();
        while (_persisting.TryDequeue(out var pending))
            pending.Span.Dispose();
    }

    /// <summary>A span under the first traced batch that <paramref name="entries"/> overlap, linked to the others.</summary>
    private Activity? Start(string name, IReadOnlyList<Entry> entries, bool link)
    {
        long first = entries[0].Index, last = entries[^1].Index;
        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        foreach (var traced in _traced)
        {
            if (traced.Last < first || traced.First > last)
                continue;
            if (parent == default)
            {
                parent = traced.Trace;
                if (link)
                    (links ??= []).Add(ReplicationTracing.FollowsFrom(parent));
            }
            else
                (links ??= []).Add(new ActivityLink(traced.Trace));
        }
        if (parent == default)
            return null;
        var span = KvTelemetry.StartDetached(name, ActivityKind.Internal, parent, links);
        span?.SetTag(KvTelemetry.NodeTag, node);
        span?.SetTag("kv.first_index", first);
        span?.SetTag("kv.last_index", last);
        return span;
    }

    private readonly record struct Traced(long First, long Last, ActivityContext Trace);
}
