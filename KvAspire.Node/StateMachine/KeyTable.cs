using System.Runtime.CompilerServices;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// The store's keys and values: an open-addressing hash table with one writer (the host loop, or whoever builds a table
/// before handing it over) and any number of lock-free readers.
/// <para>
/// Why not a <c>ConcurrentDictionary</c>: it keeps a 48-byte node object per key, one more object for every garbage
/// collection to trace, and growing it allocates every node again, on the loop, all at once; under a bulk load that was
/// the loop's longest stall (bench/RESULTS.md, "One table for the keys"). Here a key costs a 24-byte slot in one array,
/// which is between three eighths and three quarters full.
/// </para>
/// <para>
/// A slot, once it holds a key, holds that key until the table is rebuilt: removing a key only clears its value. So a
/// reader that found a key's slot reads that key's value or nothing, never another key's. A slot is filled value first
/// and key last, so a reader that sees the key sees its value. Rebuilding, to grow or to drop removed keys, copies the
/// live pairs into a new array and publishes it with one reference write: readers still on the old array see the
/// store as it was a moment ago, as they would had they read a moment earlier.
/// </para>
/// </summary>
public sealed class KeyTable
{
    private const int MinCapacity = 16;

    internal struct Slot
    {
        public string? Key;
        public StoredValue? Value;
        public int Hash;
    }

    private volatile Slot[] _slots;
    // Writer only: slots that hold a key, live or removed; they bound every probe, so a rebuild comes before they fill it.
    private int _used;
    private int _count;

    /// <param name="keys">How many keys it will hold before it first grows.</param>
    public KeyTable(int keys = 0) => _slots = new Slot[PowerOfTwoAtLeast(keys * 4L / 3 + 1)];

    /// <summary>Keys with a value.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The value stored under <paramref name="key"/>, or null; any thread.</summary>
    public StoredValue? Get(string key)
    {
        var slots = _slots;
        var i = Find(slots, key, Hash(key));
        return i < 0 ? null : Volatile.Read(ref slots[i].Value);
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> and returns what it replaced (null: none); writer only.</summary>
    public StoredValue? Set(string key, StoredValue value)
    {
        var hash = Hash(key);
        var i = Find(_slots, key, hash);
        if (i >= 0)
        {
            var old = _slots[i].Value;
            Volatile.Write(ref _slots[i].Value, value);
            if (old is null)
                _count++;
            return old;
        }
        if ((_used + 1) * 4L > _slots.Length * 3L)
            Rebuild();
        var slots = _slots;
        i = ~Find(slots, key, hash);
        slots[i].Hash = hash;
        slots[i].Value = value;
        Volatile.Write(ref slots[i].Key, key);
        _used++;
        _count++;
        return null;
    }

    /// <summary>Removes <paramref name="key"/> and returns its value (null: it had none); writer only.</summary>
    public StoredValue? Remove(string key)
    {
        var i = Find(_slots, key, Hash(key));
        if (i < 0 || _slots[i].Value is not { } old)
            return null;
        Volatile.Write(ref _slots[i].Value, null);
        _count--;
        return old;
    }

    /// <summary>The table as it is now, for a walk over every key it holds; see <see cref="View"/>.</summary>
    public View Current => new(_slots);

    /// <summary>
    /// The slots of the table at one moment. Walking them visits every key stored at that moment exactly once, with its
    /// value as the walk reads it (null once removed); a key stored later may or may not show. Any thread.
    /// </summary>
    public readonly struct View
    {
        private readonly Slot[] _slots;

        internal View(Slot[] slots) => _slots = slots;

        /// <summary>Every slot that holds a key, with its value as read now (null: removed).</summary>
        public IEnumerable<KeyValuePair<string, StoredValue?>> Slots()
        {
            var slots = _slots;
            for (var i = 0; i < slots.Length; i++)
            {
                if (Volatile.Read(ref slots[i].Key) is { } key)
                    yield return KeyValuePair.Create(key, Volatile.Read(ref slots[i].Value));
            }
        }

        /// <summary>The keys with a value, walked as <see cref="Slots"/>.</summary>
        public IEnumerable<KeyValuePair<string, StoredValue>> Live()
        {
            foreach (var (key, value) in Slots())
            {
                if (value is not null)
                    yield return KeyValuePair.Create(key, value);
            }
        }
    }

    /// <summary>The slot holding <paramref name="key"/>, or the complement of the empty slot where it would go.</summary>
    private static int Find(Slot[] slots, string key, int hash)
    {
        var mask = slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var candidate = Volatile.Read(ref slots[i].Key);
            if (candidate is null)
                return ~i;
            if (slots[i].Hash == hash && string.Equals(candidate, key, StringComparison.Ordinal))
                return i;
        }
    }

    /// <summary>Copies the live keys into a table they fill at most half of, dropping removed ones: it is rebuilt again
    /// once slots are three quarters used, so a growing table doubles, and a table of keys that come and go keeps its size.</summary>
    private void Rebuild()
    {
        var old = _slots;
        var slots = new Slot[PowerOfTwoAtLeast(2L * (_count + 1))];
        var mask = slots.Length - 1;
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Value is null)
                continue;
            var i = slot.Hash & mask;
            while (slots[i].Key is not null)
                i = (i + 1) & mask;
            slots[i] = slot;
        }
        _used = _count;
        _slots = slots;
    }

    private static int PowerOfTwoAtLeast(long slots)
    {
        var capacity = MinCapacity;
        while (capacity < slots)
        {
            if (capacity >= 1 << 30)
                throw new InvalidOperationException($"A table of {slots} slots is past the largest array this process can hold.");
            capacity *= 2;
        }
        return capacity;
    }

    // A randomized hash (per process), so no client can choose keys that collide; nothing outside this process sees it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(string key) => key.GetHashCode() & int.MaxValue;
}
