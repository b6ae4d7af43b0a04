using System.Buffers.Binary;
using System.IO.Hashing;

namespace KvAspire.Node.Storage;

/// <summary>
/// Snapshots under <c>{DataDirectory}/snapshots</c>, one file each:
/// <c>[magic "KVSNAP01"][index:8][term:8][digest:8][bodyLength:8][body][crc32c(body):4]</c>.
/// Written to a temp file, fsynced and renamed, so a crash mid-snapshot leaves the previous one. A
/// snapshot received from the primary waits as <c>.received</c> until the host installs it.
/// </summary>
public sealed class FileSnapshotStore : ISnapshotStore
{
    private const int HeaderBytes = 40;
    private const int TrailerBytes = 4;
    private const string Extension = ".snap";
    private const string ReceivedExtension = ".received";
    private static readonly byte[] Magic = "KVSNAP01"u8.ToArray();
    private readonly string _directory;
    private readonly Lock _latestLock = new();
    private SnapshotMetadata? _latest;

    public FileSnapshotStore(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, "snapshots");
        Directory.CreateDirectory(_directory);
        // A snapshot interrupted by a crash, or received but never installed: the primary sends another.
        foreach (var leftover in Directory.GetFiles(_directory, "*.tmp").Concat(Directory.GetFiles(_directory, "*" + ReceivedExtension)))
            File.Delete(leftover);
        _latest = Directory.GetFiles(_directory, "*" + Extension).Order().Select(ReadHeader).LastOrDefault();
    }

    public SnapshotMetadata? Latest
    {
        get
        {
            lock (_latestLock)
                return _latest;
        }
    }

    public SnapshotMetadata Save(long index, long term, ulong digest, Action<Stream> writeBody)
    {
        var path = PathOf(index, term, Extension);
        var temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
            file.Write(new byte[HeaderBytes]);
            using (var body = new ChecksumStream(file))
            {
                writeBody(body);
                Span<byte> trailer = stackalloc byte[TrailerBytes];
                BinaryPrimitives.WriteUInt32LittleEndian(trailer, body.Checksum);
                file.Write(trailer);
            }
            var bodyLength = file.Length - HeaderBytes - TrailerBytes;
            file.Position = 0;
            file.Write(Header(index, term, digest, bodyLength));
            file.Flush(flushToDisk: true);
        }
        return Publish(temp, path);
    }

    public (SnapshotMetadata Snapshot, Stream File)? OpenLatest()
    {
        // A newer snapshot may replace (and delete) the one we picked before we open it: pick again.
        for (var attempt = 0; ; attempt++)
        {
            if (Latest is not { } latest)
                return null;
            try
            {
                return (latest, new FileStream(latest.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete));
            }
            catch (FileNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    public async Task<SnapshotMetadata> ReceiveAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> file, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(_directory, $"{Guid.NewGuid():N}{ReceivedExtension}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await foreach (var chunk in file.WithCancellation(cancellationToken))
                    await stream.WriteAsync(chunk, cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            var received = ReadHeader(temp);
            ReadBody(received, Drain); // verifies it before anything relies on it
            var path = PathOf(received.Index, received.Term, ReceivedExtension);
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(_directory);
            return received with { Path = path };
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public void Discard(SnapshotMetadata received)
    {
        if (Path.GetExtension(received.Path) == ReceivedExtension)
            File.Delete(received.Path);
    }

    public SnapshotMetadata Install(SnapshotMetadata received) =>
        Publish(received.Path, PathOf(received.Index, received.Term, Extension));

    /// <summary>Renames a complete, fsynced file into place as the newest snapshot and deletes older ones.
    /// A snapshot older than the current one (a slow save overtaken by an install) is discarded.</summary>
    private SnapshotMetadata Publish(string completeFile, string path)
    {
        lock (_latestLock)
        {
            var candidate = ReadHeader(completeFile);
            if (_latest is { } current && current.Index >= candidate.Index && current.Path != path)
            {
                File.Delete(completeFile);
                return current;
            }
            File.Move(completeFile, path, overwrite: true);
            DirectorySync.Flush(_directory);
            var previous = _latest;
            _latest = candidate with { Path = path };
            if (previous is not null && previous.Path != path)
                File.Delete(previous.Path);
            return _latest;
        }
    }

    private string PathOf(long index, long term, string extension) => Path.Combine(_directory, $"{index:D20}-{term:D20}{extension}");

    public T ReadBody<T>(SnapshotMetadata snapshot, Func<Stream, T> read)
    {
        using var file = new FileStream(snapshot.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1 << 16);
        if (file.Length != HeaderBytes + snapshot.Bytes + TrailerBytes)
            throw new CorruptSnapshotException(snapshot.Path, $"it is {file.Length} bytes, expected {HeaderBytes + snapshot.Bytes + TrailerBytes}");
        file.Position = HeaderBytes;
        var body = new ChecksumStream(file, readable: snapshot.Bytes);
        var result = read(body);
        Drain(body); // what the reader left, so the checksum covers the whole body
        Span<byte> trailer = stackalloc byte[TrailerBytes];
        file.ReadExactly(trailer);
        if (body.Checksum != BinaryPrimitives.ReadUInt32LittleEndian(trailer))
            throw new CorruptSnapshotException(snapshot.Path, "its checksum does not match its contents");
        return result;
    }

    private static bool Drain(Stream body)
    {
        body.CopyTo(Stream.Null);
        return true;
    }

    private static byte[] Header(long index, long term, ulong digest, long bodyLength)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), index);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), term);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(24), digest);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), bodyLength);
        return header;
    }

    private static SnapshotMetadata ReadHeader(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[HeaderBytes];
        if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes || !header[..8].SequenceEqual(Magic))
            throw new CorruptSnapshotException(path, "its header is missing or not a KvAspire snapshot");
        var metadata = new SnapshotMetadata(
            BinaryPrimitives.ReadInt64LittleEndian(header[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[32..]),
            path);
        // A negative length would otherwise pass ReadBody's size check for a file of 40-43 bytes (found
        // while writing the peer fuzz target; corpus/peer/regressions/negative-body-length).
        if (metadata.Index < 0 || metadata.Term < 0 || metadata.Bytes < 0)
            throw new CorruptSnapshotException(path, $"its header gives index {metadata.Index}, term {metadata.Term}, body {metadata.Bytes} bytes");
        return metadata;
    }

    /// <summary>Passes writes, or reads of at most <c>readable</c> bytes, through while computing their CRC-32C.</summary>
    private sealed class ChecksumStream(Stream inner, long readable = 0) : Stream
    {
        private readonly Crc32 _crc = new(Crc32ParameterSet.Crc32C);
        private long _readable = readable;

        public uint Checksum => _crc.GetCurrentHashAsUInt32();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc.Append(buffer);
            inner.Write(buffer);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _readable)]);
            _crc.Append(buffer[..read]);
            _readable -= read;
            return read;
        }

        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
