using System.Collections.Immutable;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// What an idempotent write did, kept until <see cref="DeadlineMs"/> so a retry with the same key gets the same
/// answer: the request's <see cref="Fingerprint"/>, where its entry landed (<see cref="Index"/>, <see cref="Term"/>)
/// and what applying it answered.
/// </summary>
public sealed record IdempotencyRecord(ulong Fingerprint, long Index, long Term, bool Existed, CommandReply? Reply, long DeadlineMs)
{
    /// <summary>Judged against an entry's timestamp, never a clock, so every node decides alike.</summary>
    public bool IsLiveAt(long nowMs) => nowMs < DeadlineMs;
}

/// <summary>
/// The idempotency records of a <see cref="KvStore"/>, by idempotency key. An immutable map, so that a snapshot
/// takes them in one reference copy whatever their number; changed by the applying thread only.
/// </summary>
public sealed class IdempotencyRecords
{
    public static readonly ImmutableDictionary<string, IdempotencyRecord> Empty =
        ImmutableDictionary<string, IdempotencyRecord>.Empty.WithComparers(StringComparer.Ordinal);

    private volatile ImmutableDictionary<string, IdempotencyRecord> _records;
    // Keys by deadline, to forget records in deadline order; an element whose record was replaced since is skipped.
    private readonly PriorityQueue<string, long> _byDeadline = new();

    public IdempotencyRecords(IEnumerable<KeyValuePair<string, IdempotencyRecord>>? records = null)
    {
        _records = records is null ? Empty : Empty.SetItems(records);
        foreach (var (key, record) in _records)
            _byDeadline.Enqueue(key, record.DeadlineMs);
    }

    /// <summary>Kept records, including ones past their deadline that no write has forgotten yet (any thread).</summary>
    public int Count => _records.Count;

    /// <summary>The records as they are now, in one reference: what a snapshot holds.</summary>
    public ImmutableDictionary<string, IdempotencyRecord> Current => _records;

    /// <summary>The record for <paramref name="key"/> unless its window has passed at <paramref name="nowMs"/>.</summary>
    public IdempotencyRecord? Live(string key, long nowMs) =>
        _records.TryGetValue(key, out var record) && record.IsLiveAt(nowMs) ? record : null;

    /// <summary>Keeps <paramref name="record"/> and forgets every record whose window has passed at <paramref name="nowMs"/>.</summary>
    internal void Add(string key, IdempotencyRecord record, long nowMs)
    {
        var records = _records;
        while (_byDeadline.TryPeek(out var oldest, out var deadline) && deadline <= nowMs)
        {
            _byDeadline.Dequeue();
            if (records.TryGetValue(oldest, out var kept) && kept.DeadlineMs == deadline)
                records = records.Remove(oldest);
        }
        _records = records.SetItem(key, record);
        _byDeadline.Enqueue(key, record.DeadlineMs);
    }
}
