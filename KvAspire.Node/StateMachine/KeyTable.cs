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
/// <para>
/// A large table is copied on a thread beside its writer: copying one of 1.5 million keys held the loop for 370-430 ms,
/// longer than the fast profile's shortest election timeout, and a bulk load crosses every power of two. The copy
/// starts once five eighths of the slots are used; the writer goes on in the old array and notes each slot it changes,
/// and the first write after the copy ends carries those changes over and publishes the new array. Only a writer that
/// reaches three quarters before the copy ends waits for it.
/// </para>
/// </summary>
public sealed class KeyTable
{
    private const int MinCapacity = 16;

    /// <summary>Tables of fewer slots are copied at once, by the writer: it takes a few milliseconds at most.</summary>
    internal const int BackgroundCopySlots = 1 << 16;

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
    private readonly int _backgroundCopySlots;
    private readonly Action<Action> _runBeside;
    /// <summary>The copy under way beside the writer, if any; writer only.</summary>
    private Copy? _copy;

    /// <param name="keys">How many keys it will hold before it first grows (or starts copying to).</param>
    public KeyTable(int keys = 0)
        : this(keys, BackgroundCopySlots, static work => ThreadPool.UnsafeQueueUserWorkItem(static work => work(), work, preferLocal: false))
    {
    }

    /// <param name="backgroundCopySlots">The size from which a rebuild copies beside the writer.</param>
    /// <param name="runBeside">Runs a copy on another thread (tests choose when).</param>
    internal KeyTable(int keys, int backgroundCopySlots, Action<Action> runBeside)
    {
        _slots = new Slot[PowerOfTwoAtLeast(keys * 8L / 5 + 1)];
        _backgroundCopySlots = backgroundCopySlots;
        _runBeside = runBeside;
    }

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
        PublishIfCopied();
        var hash = Hash(key);
        var i = Find(_slots, key, hash);
        if (i >= 0)
        {
            var old = _slots[i].Value;
            Volatile.Write(ref _slots[i].Value, value);
            if (old is null)
                _count++;
            _copy?.Changed(i);
            return old;
        }
        if ((_used + 1) * 4L > _slots.Length * 3L)
            Rebuild();
        else if (_copy is null && _slots.Length >= _backgroundCopySlots && (_used + 1) * 8L > _slots.Length * 5L)
            StartCopy(beside: true);
        var slots = _slots;
        i = ~Find(slots, key, hash);
        slots[i].Hash = hash;
        slots[i].Value = value;
        Volatile.Write(ref slots[i].Key, key);
        _used++;
        _count++;
        _copy?.Changed(i);
        return null;
    }

    /// <summary>Removes <paramref name="key"/> and returns its value (null: it had none); writer only.</summary>
    public StoredValue? Remove(string key)
    {
        PublishIfCopied();
        var i = Find(_slots, key, Hash(key));
        if (i < 0 || _slots[i].Value is not { } old)
            return null;
        Volatile.Write(ref _slots[i].Value, null);
        _count--;
        _copy?.Changed(i);
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

    /// <summary>
    /// At three quarters used: ends the copy under way (waiting for it), or copies now, and publishes the copy. The live
    /// keys fill at most half of it, removed ones are dropped: a growing table doubles, and a table of keys that come and
    /// go keeps its size.
    /// </summary>
    private void Rebuild()
    {
        if (_copy is null)
            StartCopy(beside: false);
        Publish();
    }

    private void StartCopy(bool beside)
    {
        // A copy beside the writer needs room for the keys stored before it ends: at most an eighth of the slots, since
        // the writer waits at three quarters.
        var copy = new Copy(_slots, PowerOfTwoAtLeast(2L * (_count + 1 + (beside ? _slots.Length / 8 : 0))));
        if (beside)
            _runBeside(copy.Run);
        else
            copy.Run();
        _copy = copy;
    }

    private void PublishIfCopied()
    {
        if (_copy is { IsDone: true })
            Publish();
    }

    /// <summary>Waits for the copy, brings it up to date with the slots changed meanwhile and makes it the table.</summary>
    private void Publish()
    {
        var copy = _copy!;
        _copy = null;
        var (into, used) = copy.Result();
        var from = copy.From;
        foreach (var i in copy.ChangedSlots)
        {
            ref readonly var slot = ref from[i];
            var j = Find(into, slot.Key!, slot.Hash);
            if (j >= 0)
                into[j].Value = slot.Value;
            else if (slot.Value is not null)
            {
                into[~j] = slot;
                used++;
            }
        }
        _used = used;
        _slots = into;
    }

    /// <summary>One rebuild's copy of the live keys, made on another thread while the writer goes on in <see cref="From"/>.</summary>
    private sealed class Copy(Slot[] from, int capacity)
    {
        private readonly ManualResetEventSlim _done = new();
        private Slot[]? _into;
        private int _copied;
        private Exception? _failure;

        public Slot[] From { get; } = from;

        /// <summary>The slots of <see cref="From"/> the writer changed after the copy started; duplicates allowed.</summary>
        public List<int> ChangedSlots { get; } = [];

        public bool IsDone => _done.IsSet;

        public void Changed(int slot) => ChangedSlots.Add(slot);

        public void Run()
        {
            try
            {
                var into = new Slot[capacity];
                var mask = into.Length - 1;
                var copied = 0;
                for (var i = 0; i < From.Length; i++)
                {
                    // The writer fills a slot's hash and value before its key, so a key read here comes with its hash.
                    if (Volatile.Read(ref From[i].Key) is not { } key || Volatile.Read(ref From[i].Value) is not { } value)
                        continue;
                    var j = From[i].Hash & mask;
                    while (into[j].Key is not null)
                        j = (j + 1) & mask;
                    into[j] = new Slot { Key = key, Value = value, Hash = From[i].Hash };
                    copied++;
                }
                (_into, _copied) = (into, copied);
            }
            catch (Exception e)
            {
                _failure = e;
            }
            _done.Set();
        }

        /// <summary>The copy and the keys it holds, once it is done; rethrows what stopped it (it cannot grow).</summary>
        public (Slot[] Into, int Used) Result()
        {
            _done.Wait();
            _done.Dispose();
            if (_failure is not null)
                throw new InvalidOperationException("Copying the key table to grow it failed.", _failure);
            return (_into!, _copied);
        }
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
