using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Client writes waiting for their entry's fate, keyed by log index. Owned by the host loop thread.
/// A proposal completes when its entry is acknowledged under its mode, or fails when the entry at its
/// index turns out to belong to another term or this node stops being primary.
/// </summary>
public sealed class Proposals
{
    private readonly Dictionary<long, Pending> _byIndex = [];
    /// <summary><see cref="Acknowledge.Primary"/> writes whose entries are written but not yet on disk, in index order.</summary>
    private readonly Queue<Entry> _awaitingDisk = new();

    public int Count => _byIndex.Count;

    public void Add(long index, long term, Acknowledge acknowledge, TaskCompletionSource<WriteOutcome> completion,
        ActivityContext? command = null) =>
        _byIndex[index] = new Pending(term, acknowledge, completion, command);

    /// <summary>The span of the sampled client command waiting on the entry at <paramref name="index"/>, if any.</summary>
    public ActivityContext? CommandOf(long index) => _byIndex.GetValueOrDefault(index)?.Command;

    /// <summary>Whether a client write still waits on the entry at <paramref name="index"/>.</summary>
    public bool IsWaiting(long index) => _byIndex.ContainsKey(index);

    /// <summary>The entries are on the primary's disk: <see cref="Acknowledge.Primary"/> writes are done.</summary>
    public void Persisted(IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (_byIndex.TryGetValue(entry.Index, out var pending) && pending.Acknowledge == Acknowledge.Primary)
                Complete(entry.Index, pending.Term == entry.Term
                    ? new WriteOutcome.Written(entry.Index, entry.Term, null)
                    : new WriteOutcome.PrimaryLost(entry.Term));
        }
    }

    /// <summary>
    /// The entries are written but not yet forced to disk (the primary's group commit runs beside its loop):
    /// <see cref="Acknowledge.Primary"/> writes among them wait for <see cref="Durable"/>.
    /// </summary>
    public void Written(IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (_byIndex.TryGetValue(entry.Index, out var pending) && pending.Acknowledge == Acknowledge.Primary && pending.Term == entry.Term)
                _awaitingDisk.Enqueue(entry);
        }
    }

    /// <summary>The log is on disk through <paramref name="index"/> (a report the caller checked still holds).</summary>
    public void Durable(long index)
    {
        while (_awaitingDisk.TryPeek(out var entry) && entry.Index <= index)
        {
            _awaitingDisk.Dequeue();
            if (_byIndex.TryGetValue(entry.Index, out var pending) && pending.Term == entry.Term)
                Complete(entry.Index, new WriteOutcome.Written(entry.Index, entry.Term, null));
        }
    }

    /// <summary>The entry is committed and applied. An entry that repeated an earlier idempotent write answers as that write did,
    /// where that write landed.</summary>
    public void Applied(Entry entry, ApplyResult result)
    {
        if (_byIndex.TryGetValue(entry.Index, out var pending))
            Complete(entry.Index, pending.Term != entry.Term
                ? new WriteOutcome.PrimaryLost(entry.Term)
                : result.Repeats is { } earlier
                    ? new WriteOutcome.Written(earlier.Index, earlier.Term, result.Existed, result.Reply) { Repeated = true }
                    : new WriteOutcome.Written(entry.Index, entry.Term, result.Existed, result.Reply));
    }

    /// <summary>Entries from <paramref name="index"/> on were replaced by another primary's.</summary>
    public void Truncated(long index, long term)
    {
        foreach (var pendingIndex in _byIndex.Keys.Where(i => i >= index).ToList())
            Complete(pendingIndex, new WriteOutcome.PrimaryLost(term));
        var kept = _awaitingDisk.Where(entry => entry.Index < index).ToList();
        _awaitingDisk.Clear();
        foreach (var entry in kept)
            _awaitingDisk.Enqueue(entry);
    }

    /// <summary>This node is no longer primary: nobody here can tell whether pending writes will commit.</summary>
    public void FailAll(long term)
    {
        foreach (var index in _byIndex.Keys.ToList())
            Complete(index, new WriteOutcome.PrimaryLost(term));
        _awaitingDisk.Clear();
    }

    private void Complete(long index, WriteOutcome outcome)
    {
        _byIndex.Remove(index, out var pending);
        pending?.Completion.TrySetResult(outcome);
    }

    private sealed record Pending(long Term, Acknowledge Acknowledge, TaskCompletionSource<WriteOutcome> Completion,
        ActivityContext? Command);
}
