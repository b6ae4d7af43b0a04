namespace KvAspire.Node.Consensus;

/// <summary>
/// The core's in-memory view of the replication log: the entries after <see cref="Start"/>, the point
/// up to which the log was compacted into a snapshot (index 0, term 0 for a log never compacted).
/// It also tracks which entries the host has been handed to persist and which are durable, because
/// only durable entries may count towards a quorum.
/// </summary>
/// <remarks>Invariants: committed entries are never truncated (<see cref="TryAppend"/> throws if a
/// primary asks for that, since it would mean the protocol is broken); only applied entries are
/// compacted, so the state machine always holds what the log no longer does.</remarks>
public sealed class RaftLog
{
    private readonly List<Entry> _entries = [];
    private long _handedOverIndex;
    private long? _pendingTruncateFrom;
    private SnapshotMarker? _pendingRestore;

    public RaftLog(SnapshotMarker start, IEnumerable<Entry> persisted)
    {
        Start = start;
        foreach (var entry in persisted)
        {
            if (entry.Index != LastIndex + 1)
                throw new ArgumentException($"Persisted log is not contiguous at index {entry.Index} (expected {LastIndex + 1}).", nameof(persisted));
            _entries.Add(entry);
        }
        _handedOverIndex = LastIndex;
        DurableIndex = LastIndex;
    }

    /// <summary>The last compacted entry: the log holds only what follows it.</summary>
    public SnapshotMarker Start { get; private set; }

    public long LastIndex => Start.Index + _entries.Count;
    public long LastTerm => _entries.Count == 0 ? Start.Term : _entries[^1].Term;

    /// <summary>The highest index the host has confirmed is on disk.</summary>
    public long DurableIndex { get; private set; }

    /// <summary>The term of the entry at <paramref name="index"/>, or null when the log does not reach
    /// it or has compacted it away (the compaction point itself keeps its term).</summary>
    public long? TermAt(long index) =>
        index == Start.Index ? Start.Term
        : index > Start.Index && index <= LastIndex ? this[index].Term
        : null;

    public Entry this[long index] => _entries[(int)(index - Start.Index - 1)];

    /// <summary>Raft §5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Forgets the entries up to <paramref name="through"/>, which the host has applied and
    /// snapshotted. Entries not yet handed over to persist are never compacted.</summary>
    public void Compact(long through)
    {
        if (through <= Start.Index)
            return;
        if (through > _handedOverIndex)
            throw new InvalidOperationException($"Refusing to compact entry {through}: only {_handedOverIndex} were handed over to persist.");
        var term = TermAt(through)!.Value;
        _entries.RemoveRange(0, (int)(through - Start.Index));
        _lastSlice = null;
        Start = new SnapshotMarker(through, term);
    }

    /// <summary>
    /// Replaces the whole log with a primary's snapshot (Raft §7): nothing we hold survives, and the
    /// host must install the snapshot and drop its stored log before anything else of the next Ready.
    /// </summary>
    public void Restore(SnapshotMarker snapshot)
    {
        _entries.Clear();
        _lastSlice = null;
        Start = snapshot;
        _pendingRestore = snapshot;
        _pendingTruncateFrom = null;
        _handedOverIndex = snapshot.Index;
    }

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
        _entries.RemoveRange((int)(index - Start.Index - 1), (int)(LastIndex - index + 1));
        _lastSlice = null;
        _pendingTruncateFrom = Math.Min(_pendingTruncateFrom ?? long.MaxValue, index);
        _handedOverIndex = Math.Min(_handedOverIndex, index - 1);
    }

    /// <summary>Up to <paramref name="maxCount"/> entries from <paramref name="from"/>, at least one even if larger than
    /// <paramref name="maxBytes"/>. Secondaries that are level ask for the same entries: while the log is unchanged, the
    /// same slice answers them all (entries never change, and no reader writes to a slice).</summary>
    public IReadOnlyList<Entry> Slice(long from, int maxCount, long maxBytes)
    {
        if (_lastSlice is { } last && last.From == from && last.MaxCount == maxCount && last.MaxBytes == maxBytes && last.LastIndex == LastIndex)
            return last.Entries;
        var count = 0;
        long bytes = 0;
        for (var index = from; index <= LastIndex && count < maxCount; index++)
        {
            bytes += this[index].Data.Length;
            if (count > 0 && bytes > maxBytes)
                break;
            count++;
        }
        var slice = count == 0 ? [] : _entries.GetRange((int)(from - Start.Index - 1), count);
        _lastSlice = new SliceMemo(from, maxCount, maxBytes, LastIndex, slice);
        return slice;
    }

    /// <summary>The last <see cref="Slice"/> and what it was asked with. Appending moves <see cref="LastIndex"/>, which
    /// it is keyed on; whatever else changes the entries (truncating, compacting, restoring) forgets it.</summary>
    private SliceMemo? _lastSlice;

    private sealed record SliceMemo(long From, int MaxCount, long MaxBytes, long LastIndex, IReadOnlyList<Entry> Entries);

    public IReadOnlyList<Entry> Range(long fromInclusive, long toInclusive) =>
        fromInclusive > toInclusive ? [] : _entries.GetRange((int)(fromInclusive - Start.Index - 1), (int)(toInclusive - fromInclusive + 1));

    public bool HasUnpersisted => _pendingRestore is not null || _pendingTruncateFrom is not null || _handedOverIndex < LastIndex;

    /// <summary>Hands the host what it must persist and remembers that it did.</summary>
    public (SnapshotMarker? Restore, long? TruncateFrom, IReadOnlyList<Entry> Entries) TakeUnpersisted()
    {
        var result = (_pendingRestore, _pendingTruncateFrom, Range(_handedOverIndex + 1, LastIndex));
        _pendingRestore = null;
        _pendingTruncateFrom = null;
        _handedOverIndex = LastIndex;
        return result;
    }

    /// <summary>Entries up to <paramref name="index"/> are durable if the entry there is still of <paramref name="term"/>;
    /// returns whether that moved <see cref="DurableIndex"/>.</summary>
    public bool MarkDurableThrough(long index, long term)
    {
        if (index <= DurableIndex || index > _handedOverIndex || TermAt(index) != term)
            return false;
        DurableIndex = index;
        return true;
    }

    /// <summary>The host has persisted a Ready: its snapshot, truncation and entries are durable.</summary>
    public void MarkDurable(SnapshotMarker? restored, long? truncatedFrom, IReadOnlyList<Entry> entries)
    {
        if (restored is { } snapshot)
            DurableIndex = snapshot.Index;
        if (truncatedFrom is { } from)
            DurableIndex = Math.Min(DurableIndex, from - 1);
        if (entries.Count > 0)
            DurableIndex = Math.Max(DurableIndex, Math.Min(entries[^1].Index, LastIndex));
    }
}
