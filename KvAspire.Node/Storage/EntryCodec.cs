using System.Buffers.Binary;
using System.IO.Hashing;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// One log record on disk: <c>[payloadLength:4][crc32c:4][index:8][term:8][data]</c>, little endian,
/// the CRC (Castagnoli) over the payload. The data is the state machine's command — for SET and
/// DELETE the seed's timestamp, op, key and value.
/// </summary>
public static class EntryCodec
{
    public const int HeaderBytes = 8;
    private const int PayloadFixedBytes = 16;

    public static int RecordBytes(Entry entry) => HeaderBytes + PayloadFixedBytes + entry.Data.Length;

    public static void Write(Entry entry, Span<byte> destination)
    {
        var payload = destination.Slice(HeaderBytes, PayloadFixedBytes + entry.Data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        entry.Data.Span.CopyTo(payload[PayloadFixedBytes..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(payload));
    }

    /// <summary>What reading one record at the start of <paramref name="source"/> found.</summary>
    public enum ReadResult
    {
        Ok,
        /// <summary>The record does not fit in what remains: a write cut short by a crash.</summary>
        Incomplete,
        /// <summary>A whole record whose checksum or shape is wrong.</summary>
        Corrupt,
    }

    public static ReadResult TryRead(ReadOnlyMemory<byte> source, out Entry entry, out int recordBytes)
    {
        entry = default;
        recordBytes = 0;
        var span = source.Span;
        if (span.Length < HeaderBytes)
            return ReadResult.Incomplete;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        if (length < PayloadFixedBytes)
            return ReadResult.Corrupt;
        if (length > span.Length - HeaderBytes)
            return ReadResult.Incomplete;
        var payload = span.Slice(HeaderBytes, length);
        if (Checksum(payload) != checksum)
            return ReadResult.Corrupt;
        var index = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var term = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        entry = new Entry(index, term, source.Slice(HeaderBytes + PayloadFixedBytes, length - PayloadFixedBytes).ToArray());
        recordBytes = HeaderBytes + length;
        return ReadResult.Ok;
    }

    private static uint Checksum(ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }
}
