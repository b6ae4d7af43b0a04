using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A point-in-time copy of a <see cref="KvStore"/> taken while entries go on being applied, so the host loop
/// never walks every key. From <see cref="KvStore.BeginCapture"/> on, the store records the value each key had
/// before its first change (absent: null). <see cref="Complete"/>, on any thread, walks the live dictionary and
/// takes, for every key, that recorded value if there is one, else the value it finds: a key not yet changed
/// still holds its value from the start, whenever the walk reaches it. Keys the walk missed or that were
/// removed come from the record. The result is the store exactly as it was at <see cref="AppliedIndex"/>.
/// The idempotency records are immutable, so the reference taken at the start is already their copy.
/// </summary>
public sealed class StoreCapture
{
    private readonly ConcurrentDictionary<string, StoredValue> _values;
    // Written by the applying thread (first change of a key wins), read by Complete once the walk is done.
    private readonly ConcurrentDictionary<string, StoredValue?> _before = new(StringComparer.Ordinal);
    private volatile bool _done;

    private readonly ImmutableDictionary<string, IdempotencyRecord> _records;

    internal StoreCapture(ConcurrentDictionary<string, StoredValue> values, ImmutableDictionary<string, IdempotencyRecord> records,
        long appliedIndex, ulong appliedDigest)
    {
        _values = values;
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

    /// <summary>The store was replaced wholesale: its dictionary is no longer the one being walked, and changes to
    /// the new one must not be recorded as if they were changes to the old.</summary>
    internal void Detach() => _done = true;

    /// <summary>Builds the copy (any thread; once). Entries applied meanwhile do not show in it.</summary>
    public StoreSnapshot Complete()
    {
        var items = new Dictionary<string, StoredValue>(_values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in _values)
            items[key] = value;
        // Recording must cover the whole walk; what changes after this point no longer matters, since every
        // key's start value is settled below from the record (changed) or from the walk (unchanged until now).
        _done = true;
        foreach (var (key, before) in _before)
        {
            if (before is null)
                items.Remove(key);
            else
                items[key] = before;
        }
        return new StoreSnapshot(AppliedIndex, AppliedDigest, [.. items]) { Records = [.. _records] };
    }
}
