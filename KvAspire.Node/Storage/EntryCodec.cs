using System.Buffers.Binary;
using System.IO.Hashing;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// One log record on disk: <c>[payloadLength:4][payloadCrc:4][headerCrc:4][index:8][term:8][data]</c>, little
/// endian, both checksums CRC-32C (Castagnoli). The data is the state machine's command — for SET and DELETE
/// the timestamp, op, key and value.
/// </summary>
/// <remarks>
/// The header checks itself (its CRC covers the length and the payload's CRC) so that a damaged length can
/// be told from a record cut short by a crash: without it, one flipped bit in a length would make every
/// record after it look like a torn tail and be truncated.
/// </remarks>
public static class EntryCodec
{
    public const int HeaderBytes = 12;

    /// <summary>The first bytes of every segment file: what it is and this format's version (1 had no header).</summary>
    public static ReadOnlySpan<byte> FormatHeader => "KVLOG02\n"u8;
    public const int PayloadFixedBytes = 16;

    public static int RecordBytes(Entry entry) => HeaderBytes + PayloadFixedBytes + entry.Data.Length;

    public static void Write(Entry entry, Span<byte> destination)
    {
        var payload = destination.Slice(HeaderBytes, PayloadFixedBytes + entry.Data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], entry.Term);
        entry.Data.Span.CopyTo(payload[PayloadFixedBytes..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Checksum(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Checksum(destination[..8]));
    }

    /// <summary>What reading one record at the start of some bytes found.</summary>
    public enum ReadResult
    {
        Ok,
        /// <summary>The bytes end inside the record (or inside its header): a write cut short by a crash.</summary>
        Incomplete,
        /// <summary>The header's own checksum does not match, so its length cannot be trusted.</summary>
        BadHeader,
        /// <summary>A sound header whose payload is damaged or too short to be an entry.</summary>
        BadPayload,
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="source"/>. <paramref name="recordBytes"/> is the
    /// record's size whenever its header is sound (<see cref="ReadResult.Ok"/>, <see cref="ReadResult.BadPayload"/>).
    /// </summary>
    public static ReadResult TryRead(ReadOnlyMemory<byte> source, out Entry entry, out int recordBytes)
    {
        entry = default;
        recordBytes = 0;
        var span = source.Span;
        if (span.Length < HeaderBytes)
            return ReadResult.Incomplete;
        if (Checksum(span[..8]) != BinaryPrimitives.ReadUInt32LittleEndian(span[8..]))
            return ReadResult.BadHeader;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (length < 0 || length > span.Length - HeaderBytes)
            return length < 0 ? ReadResult.BadHeader : ReadResult.Incomplete;
        recordBytes = HeaderBytes + length;
        var payload = span.Slice(HeaderBytes, length);
        if (length < PayloadFixedBytes || Checksum(payload) != BinaryPrimitives.ReadUInt32LittleEndian(span[4..]))
            return ReadResult.BadPayload;
        var index = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var term = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        entry = new Entry(index, term, source.Slice(HeaderBytes + PayloadFixedBytes, length - PayloadFixedBytes).ToArray());
        return ReadResult.Ok;
    }

    // One per thread: every record written and every offset a damaged tail is searched at needs a checksum.
    [ThreadStatic]
    private static Crc32? t_crc;

    private static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        var crc = t_crc ??= new Crc32(Crc32ParameterSet.Crc32C);
        crc.Reset();
        crc.Append(bytes);
        return crc.GetCurrentHashAsUInt32();
    }
}
