namespace KvAspire.Node.Consensus;

/// <summary>
/// Where the log keeps its entries' bytes: packed one after another into chunks of <see cref="ChunkBytes"/>, instead of
/// an array each. Entries live until a snapshot compacts them, long enough for every one to survive a few collections;
/// as arrays of their own, a bulk load made the GC copy each one into the older generations, and those copies were most
/// of the pauses that stopped a primary's heartbeats (bench/RESULTS.md). A chunk is allocated in the large object heap,
/// which is never copied, and is collected once the last entry in it is gone, as compaction takes entries oldest first.
/// Append-only: bytes handed out are never written again, even after the entries that held them were truncated.
/// </summary>
internal sealed class EntryArena
{
    /// <summary>Large enough to live in the large object heap (85,000 bytes or more), which is never compacted by default.</summary>
    public const int ChunkBytes = 1 << 20;

    /// <summary>Entries of this size or more keep an array of their own: packing them would waste a chunk's tail.</summary>
    public const int MaxPackedBytes = ChunkBytes / 16;

    private byte[] _chunk = [];
    private int _used;

    /// <summary>The same bytes as <paramref name="data"/>, in this arena; an empty or large payload as it is.</summary>
    public ReadOnlyMemory<byte> Keep(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty || data.Length >= MaxPackedBytes)
            return data;
        if (_chunk.Length - _used < data.Length)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
            _used = 0;
        }
        var kept = _chunk.AsMemory(_used, data.Length);
        data.Span.CopyTo(kept.Span);
        _used += data.Length;
        return kept;
    }
}
