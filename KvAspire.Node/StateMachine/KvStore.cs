using System.Buffers.Binary;
using System.IO.Hashing;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.StateMachine;

/// <summary>What applying one command did: whether the key existed before it, and what it answers (null: nothing to say).</summary>
public readonly record struct ApplyResult(bool Existed, CommandReply? Reply = null)
{
    /// <summary>Set when the entry repeated an earlier idempotent write and ran nothing: that write's record.</summary>
    public IdempotencyRecord? Repeats { get; init; }
}

/// <summary>A store built from a snapshot, ready to replace a <see cref="KvStore"/>'s contents in one step.</summary>
public sealed record PreparedStore(KeyTable Values, IdempotencyRecords Records, long AppliedIndex,
    ulong AppliedDigest, int KeysWithDeadline, Membership? Membership);

/// <summary>
/// The key-value store the committed log is applied to. One thread (the host loop) applies; any
/// thread may read. Entries arrive in index order exactly once. Applying never reads a clock: "now"
/// is the timestamp the primary put in the entry, so a key past its deadline is absent to that entry on
/// every node alike, and stays stored until an entry deletes it (<see cref="CommandOp.DeleteExpired"/>).
/// </summary>
public sealed class KvStore
{
    // Replaced whole by Restore (a reference swap readers on other threads see atomically), never cleared in place.
    private volatile KeyTable _values = new();
    private volatile IdempotencyRecords _records = new();

    public long AppliedIndex { get; private set; }

    /// <summary>The newest configuration applied (null: none since the cluster was founded): kept with the data so a
    /// snapshot carries the membership it was taken under.</summary>
    public Membership? Membership { get; private set; }

    /// <summary>Stored keys, including those past their deadline that no deletion has reached yet (as Redis' DBSIZE).</summary>
    public int Count => _values.Count;

    /// <summary>Stored keys that carry a deadline (INFO's <c>expires</c>), counted as they change so nothing walks every key.</summary>
    public int KeysWithDeadline => Volatile.Read(ref _keysWithDeadline);

    // Written by the applying thread only; read by any.
    private int _keysWithDeadline;

    /// <summary>
    /// A hash chained over every applied entry (index, term, payload). Two nodes with the same
    /// applied index and digest applied the same sequence: a cheap end-to-end check of replication.
    /// </summary>
    public ulong AppliedDigest { get; private set; }

    /// <summary>Outcomes of idempotent writes kept for their window (see <see cref="Idempotency"/>).</summary>
    public IdempotencyRecords Records => _records;

    /// <summary>The stored value, even one past its deadline; see <see cref="Live"/>.</summary>
    public StoredValue? Get(string key) => _values.Get(key);

    /// <summary>The value as a reader at <paramref name="nowMs"/> sees it: absent once past its deadline.</summary>
    public StoredValue? Live(string key, long nowMs) => _values.Get(key) is { } value && !value.IsExpiredAt(nowMs) ? value : null;

    /// <summary>Answers a read as of <paramref name="nowMs"/>.</summary>
    public CommandReply Read(ReadOp op, string key, IReadOnlyList<ReadOnlyMemory<byte>> args, long nowMs) =>
        StoreReads.Evaluate(op, key, args, k => Live(k, nowMs), nowMs);

    /// <summary>A point-in-time copy, built at once; host loop only, so no entry is applied meanwhile.</summary>
    public StoreSnapshot Capture() => BeginCapture().Complete();

    /// <summary>
    /// Starts a point-in-time copy of the store as it is now, which <see cref="StoreCapture.Complete"/> builds on any
    /// thread while entries go on being applied (host loop only; one at a time).
    /// </summary>
    public StoreCapture BeginCapture() => _capture = new StoreCapture(_values.Current, _values.Count, _records.Current, AppliedIndex, AppliedDigest, Membership);

    private StoreCapture? _capture;

    /// <summary>Replaces everything with <paramref name="snapshot"/>; host loop only.</summary>
    public void Restore(StoreSnapshot snapshot) => Restore(Prepare(snapshot));

    /// <summary>Replaces everything with a store built beforehand (on any thread, see <see cref="Prepare"/>):
    /// the host loop only swaps a reference, however many keys the snapshot holds. Host loop only.</summary>
    public void Restore(PreparedStore prepared)
    {
        _capture?.Detach();
        _capture = null;
        _values = prepared.Values;
        _records = prepared.Records;
        Volatile.Write(ref _keysWithDeadline, prepared.KeysWithDeadline);
        AppliedIndex = prepared.AppliedIndex;
        AppliedDigest = prepared.AppliedDigest;
        Membership = prepared.Membership;
    }

    /// <summary>Builds the store <paramref name="snapshot"/> describes, without touching this one: any thread.</summary>
    public static PreparedStore Prepare(StoreSnapshot snapshot)
    {
        var values = new KeyTable(snapshot.Items.Count);
        var withDeadline = 0;
        foreach (var (key, value) in snapshot.Items)
        {
            values.Set(key, value);
            withDeadline += HasDeadline(value);
        }
        return new PreparedStore(values, new IdempotencyRecords(snapshot.Records), snapshot.AppliedIndex, snapshot.AppliedDigest, withDeadline,
            snapshot.Membership);
    }

    public bool ContainsKey(string key) => _values.Get(key) is not null;

    /// <summary>The keys at the moment of enumeration (a live, lock-free walk: concurrent applies may or may not show).</summary>
    public IEnumerable<string> Keys => _values.Current.Live().Select(pair => pair.Key);

    /// <summary>Keys and values, walked as <see cref="Keys"/> is.</summary>
    public IEnumerable<KeyValuePair<string, StoredValue>> Entries => _values.Current.Live();

    public ApplyResult Apply(Entry entry)
    {
        if (entry.Index != AppliedIndex + 1)
            throw new InvalidOperationException($"Entry {entry.Index} applied out of order after {AppliedIndex}.");
        AppliedIndex = entry.Index;
        AppliedDigest = Chain(AppliedDigest, entry);
        if (entry.IsNoOp)
            return default;
        if (Membership.IsEntry(entry.Data.Span))
        {
            Membership = Membership.TryDecode(entry.Data.Span, out var membership) ? membership
                : throw new InvalidDataException($"Committed entry {entry.Index} (term {entry.Term}) is a malformed configuration.");
            return default;
        }
        if (!KvCommand.TryDecode(entry.Data, out var command))
            throw new InvalidDataException($"Committed entry {entry.Index} (term {entry.Term}) is not a valid command.");
        try
        {
            var context = new ApplyContext(this, command.HasRevision ? entry.Index : 0, command.TimestampMs);
            return command.Op == CommandOp.Idempotent
                ? Idempotency.Apply(command, entry.Index, entry.Term, context, _records)
                : Execute(command, context);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Committed entry {entry.Index} (term {entry.Term}) has a malformed {command.Op}: {e.Message}", e);
        }
    }

    internal static ApplyResult Execute(KvCommand command, ApplyContext context) => command.Op switch
    {
        CommandOp.Set or CommandOp.SetIfAbsent or CommandOp.SetIfPresent or CommandOp.SetWithOptions or CommandOp.IncrementBy
            or CommandOp.IncrementByFloat or CommandOp.Append or CommandOp.GetDelete or CommandOp.SetManyIfNoneExist
            or CommandOp.GetExpire or CommandOp.SetMany => StringOps.Apply(command, context),
        CommandOp.Delete or CommandOp.DeleteMany or CommandOp.DeleteExpired or CommandOp.Expire or CommandOp.Persist => KeyOps.Apply(command, context),
        CommandOp.HashSet or CommandOp.HashDelete or CommandOp.HashIncrementBy => HashOps.Apply(command, context),
        CommandOp.ListPush or CommandOp.ListPop or CommandOp.ListRemove or CommandOp.ListSet or CommandOp.ListTrim => ListOps.Apply(command, context),
        CommandOp.SetAdd or CommandOp.SetRemove or CommandOp.SetPop or CommandOp.SetPopWithSeed => SetOps.Apply(command, context),
        CommandOp.SortedSetAdd or CommandOp.SortedSetRemove or CommandOp.SortedSetPop or CommandOp.SortedSetRemoveRange
            => SortedSetOps.Apply(command, context),
        CommandOp.Transaction => Transaction.Apply(command, context),
        CommandOp.Read => new ApplyResult(false, context.Store.Read(
            (ReadOp)CommandArgs.ReadByte(command.Args[0]), command.Key, command.Args.Skip(1).ToList(), context.NowMs)),
        _ => throw new InvalidDataException($"unknown op {command.Op}"),
    };

    internal void Put(string key, StoredValue value)
    {
        RecordForCapture(key);
        var old = _values.Set(key, value);
        var change = HasDeadline(value) - HasDeadline(old);
        if (change != 0)
            Volatile.Write(ref _keysWithDeadline, _keysWithDeadline + change);
    }

    internal bool Remove(string key)
    {
        RecordForCapture(key);
        if (_values.Remove(key) is not { } old)
            return false;
        if (HasDeadline(old) == 1)
            Volatile.Write(ref _keysWithDeadline, _keysWithDeadline - 1);
        return true;
    }

    private static int HasDeadline(StoredValue? value) => value is { DeadlineMs: not 0 } ? 1 : 0;

    /// <summary>While a copy is being built, the value a key had before its first change is kept for it.</summary>
    private void RecordForCapture(string key)
    {
        if (_capture is not { } capture)
            return;
        if (capture.Done)
        {
            _capture = null;
            return;
        }
        capture.BeforeChange(key, _values.Get(key));
    }

    /// <summary>The digest's hasher, reset for every entry: the loop applies one entry at a time, and a new one per entry
    /// was a tenth of what a secondary allocated.</summary>
    private readonly XxHash64 _chainHash = new();

    private ulong Chain(ulong digest, Entry entry)
    {
        var hash = _chainHash;
        hash.Reset();
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(header, digest);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], entry.Term);
        hash.Append(header);
        hash.Append(entry.Data.Span);
        return hash.GetCurrentHashAsUInt64();
    }
}

/// <summary>
/// One entry's view of the store while it applies: <see cref="Revision"/> for whatever it changes, and
/// <see cref="NowMs"/>, the entry's timestamp, against which deadlines are judged.
/// </summary>
internal readonly record struct ApplyContext(KvStore Store, long Revision, long NowMs)
{
    public StoredValue? Live(string key) => Store.Live(key, NowMs);

    public void Put(string key, StoredValue value) => Store.Put(key, value);

    public bool Remove(string key) => Store.Remove(key);

    /// <summary>The key's value if it has kind <typeparamref name="T"/>; false (with Redis' WRONGTYPE) if it holds another kind.</summary>
    public bool TryLive<T>(string key, out T? value, out ApplyResult wrongType) where T : StoredValue
    {
        var live = Live(key);
        value = live as T;
        wrongType = new ApplyResult(true, ReplyErrors.WrongType);
        return live is null || value is not null;
    }
}
