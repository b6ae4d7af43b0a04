using System.Buffers;
using System.Collections.Concurrent;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Storage;

/// <summary>
/// The replication log as append-only segment files under <c>{DataDirectory}/log</c>; compaction deletes
/// whole files from the front. Recovery reads every segment in order: a record torn at the very end of the log
/// (a crash mid-write, never acknowledged: see <see cref="TornWrite"/>) is truncated with a warning; anything
/// else that does not read back exactly — a bad checksum, a gap, an entry out of order — stops the node with
/// <see cref="CorruptLogException"/>.
/// </summary>
public sealed class SegmentedLogStore : ILogStore
{
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly List<Segment> _segments = [];
    /// <summary>Records encoded and not yet written; handed over whole by <see cref="WriteLater"/>.</summary>
    private ArrayBufferWriter<byte> _buffer = new();
    /// <summary>Buffers whose writes have run, for the next hand-over (a few, each as large as the largest batch).</summary>
    private readonly ConcurrentBag<ArrayBufferWriter<byte>> _spareBuffers = [];
    private readonly PendingWrites _pendingWrites = new();
    private readonly List<int> _recordSizes = [];
    private List<Entry>? _recovered;

    /// <param name="forceToDisk">Forces a file or folder to disk (fsync); tests record the calls.</param>
    public SegmentedLogStore(string dataDirectory, long segmentBytes, ILogger logger, Action<string>? forceToDisk = null)
    {
        _directory = Path.Combine(dataDirectory, "log");
        _segmentBytes = segmentBytes;
        Directory.CreateDirectory(_directory);
        _recovered = Recover(logger);
        // What recovery read may still be only in the page cache (written before a crash of this process, not
        // of the machine): it counts towards a quorum once loaded, so it must be on disk first, names included.
        forceToDisk ??= ForceToDisk;
        foreach (var segment in _segments)
            forceToDisk(segment.Path);
        forceToDisk(_directory);
        forceToDisk(dataDirectory);
    }

    private static void ForceToDisk(string path)
    {
        if (Directory.Exists(path))
        {
            DirectorySync.Flush(path);
            return;
        }
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    /// <summary>The last entry appended, whether or not it has left the write buffer yet.</summary>
    public long LastIndex { get; private set; }

    public long SizeBytes => _segments.Sum(s => s.Length) + _buffer.WrittenCount;

    public IReadOnlyList<Entry> Load()
    {
        var entries = _recovered ?? throw new InvalidOperationException("The log has already been loaded.");
        _recovered = null;
        return entries;
    }

    public void Append(IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Index != LastIndex + 1)
                throw new InvalidOperationException($"Entry {entry.Index} does not follow the last stored entry {LastIndex}.");
            if (_segments.Count == 0 || _segments[^1].Length + _buffer.WrittenCount >= _segmentBytes)
                Roll(entry.Index);
            var size = EntryCodec.RecordBytes(entry);
            EntryCodec.Write(entry, _buffer.GetSpan(size));
            _buffer.Advance(size);
            _recordSizes.Add(size);
            LastIndex = entry.Index;
        }
    }

    public void TruncateFrom(long index)
    {
        _pendingWrites.Wait();
        WriteBuffered();
        var removedFiles = false;
        while (_segments.Count > 0 && _segments[^1].FirstIndex >= index && _segments.Count > 1)
        {
            Delete(_segments[^1]);
            removedFiles = true;
        }
        if (_segments.Count > 0 && _segments[^1].LastIndex >= index)
            _segments[^1].TruncateFrom(Math.Max(index, _segments[^1].FirstIndex));
        if (removedFiles)
            DirectorySync.Flush(_directory);
        LastIndex = Math.Min(LastIndex, index - 1);
    }

    public void Compact(long through)
    {
        var removed = false;
        // The last segment is the one being written, so it stays even when the snapshot covers all of it.
        while (_segments.Count > 1 && _segments[0].LastIndex <= through)
        {
            Delete(_segments[0]);
            removed = true;
        }
        if (removed)
            DirectorySync.Flush(_directory);
    }

    public void ResetAfter(long snapshotIndex)
    {
        _pendingWrites.Wait();
        _buffer.ResetWrittenCount();
        _recordSizes.Clear();
        while (_segments.Count > 0)
            Delete(_segments[^1]);
        DirectorySync.Flush(_directory);
        LastIndex = snapshotIndex;
    }

    public void Flush(bool durable)
    {
        _pendingWrites.Wait();
        WriteBuffered();
        if (_segments.Count > 0)
            _segments[^1].Flush(durable);
    }

    /// <remarks>
    /// The write leaves the loop with the buffer it was encoded into: under a bulk load the write itself, not only the
    /// fsync, held the loop for up to 275 ms (bench/RESULTS.md), since a page under writeback stalls the next write to
    /// it. Only the last segment can hold writes not yet on disk: rolling to a new one waits for them and forces the old one.
    /// </remarks>
    public LogWrite WriteLater()
    {
        if (_segments.Count == 0)
            return new LogWrite(null, static () => { });
        var segment = _segments[^1];
        Action? write = null;
        if (_buffer.WrittenCount > 0)
        {
            var (file, offset) = segment.Reserve(_recordSizes);
            _recordSizes.Clear();
            var records = _buffer;
            _buffer = _spareBuffers.TryTake(out var spare) ? spare : new ArrayBufferWriter<byte>();
            _pendingWrites.Add();
            write = () =>
            {
                try
                {
                    RandomAccess.Write(file, records.WrittenSpan, offset);
                }
                finally
                {
                    records.ResetWrittenCount();
                    _spareBuffers.Add(records);
                    _pendingWrites.Done();
                }
            };
        }
        return new LogWrite(write, segment.SyncLater());
    }

    private void Roll(long firstIndex)
    {
        // What is buffered, and what was handed out, belongs to the segment being closed.
        _pendingWrites.Wait();
        WriteBuffered();
        if (_segments.Count > 0)
        {
            _segments[^1].Flush(durable: true);
            _segments[^1].Dispose();
        }
        _segments.Add(Segment.Create(_directory, firstIndex));
        DirectorySync.Flush(_directory);
    }

    private void WriteBuffered()
    {
        if (_buffer.WrittenCount == 0)
            return;
        _segments[^1].Write(_buffer.WrittenSpan, _recordSizes);
        _buffer.ResetWrittenCount();
        _recordSizes.Clear();
    }

    private void Delete(Segment segment)
    {
        segment.Dispose();
        File.Delete(segment.Path);
        _segments.Remove(segment);
    }

    private List<Entry> Recover(ILogger logger)
    {
        var files = Directory.GetFiles(_directory)
            .Select(path => (Path: path, First: Segment.FirstIndexOf(path)))
            .Where(f => f.First is not null)
            .OrderBy(f => f.First)
            .ToList();
        var entries = new List<Entry>();
        for (var i = 0; i < files.Count; i++)
        {
            var (path, first) = (files[i].Path, files[i].First!.Value);
            var expected = entries.Count == 0 ? first : entries[^1].Index + 1;
            if (first != expected)
                throw new CorruptLogException(path, 0, $"the segment starts at entry {first} but entry {expected} was expected (a segment is missing)");
            _segments.Add(ReadSegment(path, first, isLast: i == files.Count - 1, entries, logger));
        }
        // A segment created just before a crash may hold no record yet; its name still says where the log is.
        LastIndex = _segments.Count > 0 ? _segments[^1].LastIndex : 0;
        if (entries.Count > 0)
            Log.LogRecovered(logger, entries[0].Index, LastIndex, files.Count);
        return entries;
    }

    private static Segment ReadSegment(string path, long firstIndex, bool isLast, List<Entry> entries, ILogger logger)
    {
        ReadOnlyMemory<byte> bytes = File.ReadAllBytes(path);
        if (!bytes.Span.StartsWith(EntryCodec.FormatHeader))
            return isLast && NeverWritten(bytes.Span)
                ? Reinitialize(path, firstIndex, bytes.Length, logger)
                : throw new CorruptLogException(path, 0,
                    "the file does not start with the segment header of record format 2 (damaged, or written by an older KvAspire)");
        var offsets = new List<long>();
        var offset = EntryCodec.FormatHeader.Length;
        while (offset < bytes.Length)
        {
            var result = EntryCodec.TryRead(bytes[offset..], out var entry, out var size);
            if (result != EntryCodec.ReadResult.Ok)
            {
                if (isLast && TornWrite.Explains(bytes, offset, result, size))
                    return TruncateTornTail(path, firstIndex, offsets, offset, bytes.Length, logger);
                throw new CorruptLogException(path, offset, result switch
                {
                    EntryCodec.ReadResult.Incomplete => "the last record is cut short but later segments exist",
                    EntryCodec.ReadResult.BadHeader => "the record's header does not match its checksum",
                    _ => "the record's checksum does not match its contents",
                });
            }
            var expected = firstIndex + offsets.Count;
            if (entry.Index != expected)
                throw new CorruptLogException(path, offset, $"found entry {entry.Index} where entry {expected} belongs");
            entries.Add(entry);
            offsets.Add(offset);
            offset += size;
        }
        return Segment.Existing(path, firstIndex, offsets, bytes.Length);
    }

    /// <summary>
    /// A segment's header is forced to disk before any record follows it, so a segment without it that is
    /// empty, holds part of it or only zeros, was being created when the node stopped.
    /// </summary>
    private static bool NeverWritten(ReadOnlySpan<byte> file) => EntryCodec.FormatHeader.StartsWith(file) || file.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The crash came while the segment was being created: nothing was written to it yet.</summary>
    private static Segment Reinitialize(string path, long firstIndex, int length, ILogger logger)
    {
        Log.TornTailTruncated(logger, path, 0, length);
        return Segment.Initialize(path, firstIndex);
    }

    private static Segment TruncateTornTail(string path, long firstIndex, List<long> offsets, int offset, int length, ILogger logger)
    {
        Log.TornTailTruncated(logger, path, offset, length - offset);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(offset);
            stream.Flush(flushToDisk: true);
        }
        return Segment.Existing(path, firstIndex, offsets, offset);
    }

    public void Dispose()
    {
        _pendingWrites.Wait();
        foreach (var segment in _segments)
            segment.Dispose();
    }
}
