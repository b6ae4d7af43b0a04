using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// One log segment file, named after the index of its first entry. Keeps the offset of every record
/// so the log can be truncated at any entry. Only the last segment of a log is written to.
/// </summary>
internal sealed class Segment : IDisposable
{
    private const string Extension = ".seg";
    private readonly List<long> _offsets;
    private FileStream? _writer;

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

    public static Segment Create(string directory, long firstIndex)
    {
        var path = System.IO.Path.Combine(directory, $"{firstIndex:D20}{Extension}");
        File.Create(path).Dispose();
        return new Segment(path, firstIndex, [], 0);
    }

    /// <summary>The first index encoded in a segment's file name, or null if it is not a segment.</summary>
    public static long? FirstIndexOf(string path) =>
        System.IO.Path.GetExtension(path) == Extension && long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), out var index)
            ? index
            : null;

    /// <summary>Writes already-encoded records (one per entry of <paramref name="recordSizes"/>).</summary>
    public void Write(ReadOnlySpan<byte> records, IEnumerable<int> recordSizes)
    {
        var writer = Writer();
        writer.Write(records);
        foreach (var size in recordSizes)
        {
            _offsets.Add(Length);
            Length += size;
        }
    }

    public void Flush(bool durable) => _writer?.Flush(flushToDisk: durable);

    /// <summary>Drops every record from <paramref name="index"/> on.</summary>
    public void TruncateFrom(long index)
    {
        var keep = (int)(index - FirstIndex);
        Length = _offsets[keep];
        _offsets.RemoveRange(keep, _offsets.Count - keep);
        Writer().SetLength(Length);
    }

    private FileStream Writer()
    {
        if (_writer is null)
        {
            _writer = new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _writer.Seek(0, SeekOrigin.End);
        }
        return _writer;
    }

    /// <summary>Closes the file; a later write or truncation (after the log is cut back to this segment) reopens it.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
    }
}
