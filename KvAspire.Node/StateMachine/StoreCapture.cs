using System.Collections.Concurrent;
using System.Collections.Immutable;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A point-in-time copy of a <see cref="KvStore"/> taken while entries go on being applied, so the host loop
/// never walks every key. From <see cref="KvStore.BeginCapture"/> on, the store records the value each key had
/// before its first change (absent: null). <see cref="Complete"/>, on any thread, walks the table as it was at the
/// start (<see cref="KeyTable.View"/>), which holds every key stored then, and takes for each key the recorded value
/// if there is one, else the value it reads there. It reads that value before it looks for a record, and the store
/// records before it changes anything, so a key with no record yet still held its value from the start when read.
/// The result is the store exactly as it was at <see cref="AppliedIndex"/>, one array long, with no other copy.
/// The idempotency records are immutable, so the reference taken at the start is already their copy.
/// </summary>
public sealed class StoreCapture
{
    private readonly KeyTable.View _table;
    private readonly int _count;
    // Written by the applying thread (first change of a key wins), read by the walk.
    private readonly ConcurrentDictionary<string, StoredValue?> _before = new(StringComparer.Ordinal);
    private volatile bool _done;

    private readonly ImmutableDictionary<string, IdempotencyRecord> _records;
    private readonly Membership? _membership;

    internal StoreCapture(KeyTable.View table, int count, ImmutableDictionary<string, IdempotencyRecord> records,
        long appliedIndex, ulong appliedDigest, Membership? membership)
    {
        _membership = membership;
        _table = table;
        _count = count;
        _records = records;
        AppliedIndex = appliedIndex;
        AppliedDigest = appliedDigest;
    }

    public long AppliedIndex { get; }
    public ulong AppliedDigest { get; }

    /// <summary>No longer recording: completed, or the store was replaced by another snapshot.</summary>
    internal bool Done => _done;

    /// <summary>The applying thread is about to change <paramref name="key"/>, which holds <paramref name="current"/>.</summary>
    internal void BeforeChange(string key, StoredValue? current) => _before.TryAdd(key, current);

    /// <summary>The store was replaced wholesale: its table is no longer the one being walked, and changes to
    /// the new one must not be recorded as if they were changes to the old.</summary>
    internal void Detach() => _done = true;

    /// <summary>Builds the copy (any thread; once). Entries applied meanwhile do not show in it.</summary>
    public StoreSnapshot Complete()
    {
        var items = new KeyValuePair<string, StoredValue>[_count];
        var taken = 0;
        foreach (var (key, read) in _table.Slots())
        {
            var value = _before.TryGetValue(key, out var before) ? before : read;
            if (value is null)
                continue;
            if (taken == items.Length)
                throw new InvalidOperationException($"A capture of {_count} keys found more; the store changed without recording it.");
            items[taken++] = KeyValuePair.Create(key, value);
        }
        _done = true;
        if (taken != items.Length)
            throw new InvalidOperationException($"A capture of {_count} keys found {taken}; the store changed without recording it.");
        return new StoreSnapshot(AppliedIndex, AppliedDigest, items) { Records = [.. _records], Membership = _membership };
    }
}
