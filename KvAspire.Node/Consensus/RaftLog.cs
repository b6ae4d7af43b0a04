namespace KvAspire.Node.Consensus;

/// <summary>
/// The core's in-memory view of the replication log. Indexes start at 1; index 0 is the empty
/// prefix with term 0. It also tracks which entries the host has been handed to persist and which
/// are durable, because only durable entries may count towards a quorum.
/// </summary>
/// <remarks>Invariant: committed entries are never truncated; <see cref="TryAppend"/> throws if a
/// primary asks for that, since it would mean the protocol is broken.</remarks>
public sealed class RaftLog
{
    private readonly List<Entry> _entries = [];
    private long _handedOverIndex;
    private long? _pendingTruncateFrom;

    public RaftLog(IEnumerable<Entry> persisted)
    {
        foreach (var entry in persisted)
        {
            if (entry.Index != _entries.Count + 1)
                throw new ArgumentException($"Persisted log is not contiguous at index {entry.Index}.", nameof(persisted));
            _entries.Add(entry);
        }
        _handedOverIndex = LastIndex;
        DurableIndex = LastIndex;
    }

    public long LastIndex => _entries.Count;
    public long LastTerm => _entries.Count == 0 ? 0 : _entries[^1].Term;

    /// <summary>The highest index the host has confirmed is on disk.</summary>
    public long DurableIndex { get; private set; }

    /// <summary>The term of the entry at <paramref name="index"/>, or null when the log does not reach it.</summary>
    public long? TermAt(long index) =>
        index == 0 ? 0 : index > 0 && index <= LastIndex ? _entries[(int)index - 1].Term : null;

    public Entry this[long index] => _entries[(int)index - 1];

    /// <summary>Raft §5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    public long Append(long term, ReadOnlyMemory<byte> data)
    {
        var entry = new Entry(LastIndex + 1, term, data);
        _entries.Add(entry);
        return entry.Index;
    }

    /// <summary>
    /// Appends a primary's entries that follow (prevIndex, prevTerm). Returns false when our log does
    /// not contain that entry. Entries we already hold are kept; from the first conflicting one on,
    /// our log is replaced (Raft §5.3).
    /// </summary>
    public bool TryAppend(long prevIndex, long prevTerm, IReadOnlyList<Entry> entries, long commitIndex)
    {
        if (TermAt(prevIndex) != prevTerm)
            return false;

        foreach (var entry in entries)
        {
            var existing = TermAt(entry.Index);
            if (existing == entry.Term)
                continue;
            if (existing is not null)
                TruncateFrom(entry.Index, commitIndex);
            _entries.Add(entry);
        }
        return true;
    }

    private void TruncateFrom(long index, long commitIndex)
    {
        if (index <= commitIndex)
            throw new InvalidOperationException($"Refusing to truncate committed entry {index} (commit index {commitIndex}).");
        _entries.RemoveRange((int)index - 1, _entries.Count - (int)index + 1);
        _pendingTruncateFrom = Math.Min(_pendingTruncateFrom ?? long.MaxValue, index);
        _handedOverIndex = Math.Min(_handedOverIndex, index - 1);
    }

    /// <summary>Up to <paramref name="maxCount"/> entries from <paramref name="from"/>, at least one even if larger than <paramref name="maxBytes"/>.</summary>
    public IReadOnlyList<Entry> Slice(long from, int maxCount, long maxBytes)
    {
        var slice = new List<Entry>();
        long bytes = 0;
        for (var index = from; index <= LastIndex && slice.Count < maxCount; index++)
        {
            var entry = this[index];
            bytes += entry.Data.Length;
            if (slice.Count > 0 && bytes > maxBytes)
                break;
            slice.Add(entry);
        }
        return slice;
    }

    public IReadOnlyList<Entry> Range(long fromInclusive, long toInclusive) =>
        fromInclusive > toInclusive ? [] : _entries.GetRange((int)fromInclusive - 1, (int)(toInclusive - fromInclusive + 1));

    public bool HasUnpersisted => _pendingTruncateFrom is not null || _handedOverIndex < LastIndex;

    /// <summary>Hands the host what it must persist and remembers that it did.</summary>
    public (long? TruncateFrom, IReadOnlyList<Entry> Entries) TakeUnpersisted()
    {
        var result = (_pendingTruncateFrom, Range(_handedOverIndex + 1, LastIndex));
        _pendingTruncateFrom = null;
        _handedOverIndex = LastIndex;
        return result;
    }

    /// <summary>The host has persisted a Ready: its truncation and entries are durable.</summary>
    public void MarkDurable(long? truncatedFrom, IReadOnlyList<Entry> entries)
    {
        if (truncatedFrom is { } from)
            DurableIndex = Math.Min(DurableIndex, from - 1);
        if (entries.Count > 0)
            DurableIndex = Math.Max(DurableIndex, Math.Min(entries[^1].Index, LastIndex));
    }
}
