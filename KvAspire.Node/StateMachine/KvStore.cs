using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.StateMachine;

/// <summary>A stored value and the content type it was written with.</summary>
public sealed record StoredValue(ReadOnlyMemory<byte> Value, string? ContentType);

/// <summary>What applying one command did: whether the key existed before it.</summary>
public readonly record struct ApplyResult(bool Existed);

/// <summary>
/// The key-value store the committed log is applied to. One thread (the host loop) applies; any
/// thread may read. Entries arrive in index order exactly once.
/// </summary>
public sealed class KvStore
{
    private readonly ConcurrentDictionary<string, StoredValue> _values = new(StringComparer.Ordinal);

    public long AppliedIndex { get; private set; }
    public int Count => _values.Count;

    /// <summary>
    /// A hash chained over every applied entry (index, term, payload). Two nodes with the same
    /// applied index and digest applied the same sequence: a cheap end-to-end check of replication.
    /// </summary>
    public ulong AppliedDigest { get; private set; }

    public StoredValue? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>A point-in-time copy; host loop only, so no entry is applied meanwhile.</summary>
    public StoreSnapshot Capture() => new(AppliedIndex, AppliedDigest, _values.ToArray());

    /// <summary>Replaces everything with <paramref name="snapshot"/>; host loop only.</summary>
    public void Restore(StoreSnapshot snapshot)
    {
        _values.Clear();
        foreach (var (key, value) in snapshot.Items)
            _values[key] = value;
        AppliedIndex = snapshot.AppliedIndex;
        AppliedDigest = snapshot.AppliedDigest;
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <summary>The keys at the moment of enumeration (a live, lock-free walk: concurrent applies may or may not show).</summary>
    public IEnumerable<string> Keys => _values.Select(pair => pair.Key);

    public ApplyResult Apply(Entry entry)
    {
        if (entry.Index != AppliedIndex + 1)
            throw new InvalidOperationException($"Entry {entry.Index} applied out of order after {AppliedIndex}.");
        AppliedIndex = entry.Index;
        AppliedDigest = Chain(AppliedDigest, entry);
        if (entry.IsNoOp)
            return default;
        if (!KvCommand.TryDecode(entry.Data, out var command))
            throw new InvalidDataException($"Committed entry {entry.Index} (term {entry.Term}) is not a valid command.");
        var value = new StoredValue(command.Value, command.ContentType);
        return command.Op switch
        {
            CommandOp.Set => new ApplyResult(Put(command.Key, value)),
            CommandOp.Delete => new ApplyResult(_values.TryRemove(command.Key, out _)),
            // Existed tells the client whether its condition held: NX wrote if false, XX wrote if true.
            CommandOp.SetIfAbsent => new ApplyResult(!_values.TryAdd(command.Key, value)),
            CommandOp.SetIfPresent => new ApplyResult(_values.ContainsKey(command.Key) && Put(command.Key, value)),
            _ => throw new InvalidDataException($"Unknown op {command.Op} in entry {entry.Index}."),
        };
    }

    /// <summary>Stores <paramref name="value"/>; returns whether the key existed before. One writer, so no race.</summary>
    private bool Put(string key, StoredValue value)
    {
        var existed = _values.ContainsKey(key);
        _values[key] = value;
        return existed;
    }

    private static ulong Chain(ulong digest, Entry entry)
    {
        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(header, digest);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], entry.Term);
        hash.Append(header);
        hash.Append(entry.Data.Span);
        return hash.GetCurrentHashAsUInt64();
    }

}
