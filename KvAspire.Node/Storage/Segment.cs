using Microsoft.Win32.SafeHandles;

namespace KvAspire.Node.Storage;

/// <summary>
/// One log segment file, named after the index of its first entry: <see cref="EntryCodec.FormatHeader"/>,
/// then records. Keeps the offset of every record so the log can be truncated at any entry.
/// Only the last segment of a log is written to.
/// </summary>
internal sealed class Segment : IDisposable
{
    private const string Extension = ".seg";
    private readonly List<long> _offsets;
    private SafeFileHandle? _writer;

    private Segment(string path, long firstIndex, List<long> offsets, long length)
    {
        Path = path;
        FirstIndex = firstIndex;
        _offsets = offsets;
        Length = length;
    }

    public string Path { get; }
    public long FirstIndex { get; }
    public long Length { get; private set; }
    public int Count => _offsets.Count;
    public long LastIndex => FirstIndex + _offsets.Count - 1;

    public static Segment Existing(string path, long firstIndex, List<long> offsets, long length) =>
        new(path, firstIndex, offsets, length);

    /// <summary>A new segment whose header is on disk before any record can follow it.</summary>
    public static Segment Create(string directory, long firstIndex) =>
        Initialize(System.IO.Path.Combine(directory, $"{firstIndex:D20}{Extension}"), firstIndex);

    /// <summary>(Re)writes <paramref name="path"/> as an empty segment.</summary>
    public static Segment Initialize(string path, long firstIndex)
    {
        var segment = new Segment(path, firstIndex, [], 0);
        var writer = segment.Writer(FileMode.Create);
        RandomAccess.Write(writer, EntryCodec.FormatHeader, 0);
        RandomAccess.FlushToDisk(writer);
        segment.Length = EntryCodec.FormatHeader.Length;
        return segment;
    }

    /// <summary>The first index encoded in a segment's file name, or null if it is not a segment.</summary>
    public static long? FirstIndexOf(string path) =>
        System.IO.Path.GetExtension(path) == Extension && long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), out var index)
            ? index
            : null;

    /// <summary>Writes already-encoded records (one per entry of <paramref name="recordSizes"/>) to the operating system.</summary>
    public void Write(ReadOnlySpan<byte> records, IEnumerable<int> recordSizes)
    {
        var (file, offset) = Reserve(recordSizes);
        RandomAccess.Write(file, records, offset);
    }

    /// <summary>
    /// Counts records (one per entry of <paramref name="recordSizes"/>) as written, and returns where their bytes go, for
    /// a write that runs later on another thread: the next records go after them, and a truncation finds them.
    /// </summary>
    public (SafeFileHandle File, long Offset) Reserve(IEnumerable<int> recordSizes)
    {
        var offset = Length;
        foreach (var size in recordSizes)
        {
            _offsets.Add(Length);
            Length += size;
        }
        return (Writer(), offset);
    }

    /// <summary>Writes go straight to the operating system, so only <paramref name="durable"/> has anything to do.</summary>
    public void Flush(bool durable)
    {
        if (durable && _writer is not null)
            RandomAccess.FlushToDisk(_writer);
    }

    /// <summary>
    /// The fsync of what has been written so far, to run on another thread while writing goes on. If the file
    /// is closed first (the log rolled to a new segment, which forces this one to disk, or this segment was
    /// deleted), there is nothing left for it to do.
    /// </summary>
    public Action SyncLater()
    {
        var writer = _writer;
        return () =>
        {
            if (writer is null)
                return;
            try
            {
                RandomAccess.FlushToDisk(writer);
            }
            catch (ObjectDisposedException)
            {
            }
        };
    }

    /// <summary>Drops every record from <paramref name="index"/> on.</summary>
    public void TruncateFrom(long index)
    {
        var keep = (int)(index - FirstIndex);
        Length = _offsets[keep];
        _offsets.RemoveRange(keep, _offsets.Count - keep);
        RandomAccess.SetLength(Writer(), Length);
    }

    private SafeFileHandle Writer(FileMode mode = FileMode.Open) =>
        _writer ??= File.OpenHandle(Path, mode, FileAccess.Write, FileShare.Read);

    /// <summary>Closes the file; a later write or truncation (after the log is cut back to this segment) reopens it.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
