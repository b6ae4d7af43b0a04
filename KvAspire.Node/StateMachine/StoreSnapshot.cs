using System.Buffers.Binary;
using System.Text;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A point-in-time copy of the store at <see cref="AppliedIndex"/>, built beside the host loop (see
/// <see cref="StoreCapture"/>); it holds references to the values, which are immutable.
/// Body format, little endian: <c>[-2:8][count:8]</c> then per key
/// <c>[keyLen:4][key][kind:1][revision:8][deadlineMs:8]</c> and the value: for a string
/// <c>[typeLen:4, -1 for none][type][valueLen:4][value]</c>, for a hash <c>[fields:4]</c> then field and value
/// blocks, for a list or set <c>[items:4]</c> then a block each, for a sorted set <c>[members:4]</c> then per member
/// its block and its score (8 bytes, IEEE), in the set's order. A body that holds idempotency records starts with
/// -3 instead of -2, and after the keys come <c>[records:8]</c> and per record
/// <c>[keyLen:4][key][fingerprint:8][index:8][term:8][deadlineMs:8][existed:1]</c> and its reply (see
/// <see cref="CommandReplyCodec"/>); without records the body is written as -2, which nodes of earlier versions read.
/// The body before revisions existed (still read) started with the count, which is never negative, and held strings
/// only: <c>[keyLen:4][key][typeLen:4][type][valueLen:4][value]</c>.
/// </summary>
public sealed class StoreSnapshot(long appliedIndex, ulong appliedDigest, KeyValuePair<string, StoredValue>[] items)
{
    private const long FormatMarker = -2;
    private const long WithRecordsMarker = -3;
    /// <summary>Precedes the rest of the body when the snapshot holds a configuration: <c>[-4][length:4][configuration]</c>,
    /// as <see cref="Consensus.Membership.Encode"/> writes it. Only written when there is one, so nodes of earlier versions
    /// read every snapshot of a cluster whose members never changed.</summary>
    private const long MembershipMarker = -4;

    public long AppliedIndex { get; } = appliedIndex;
    public ulong AppliedDigest { get; } = appliedDigest;
    public IReadOnlyList<KeyValuePair<string, StoredValue>> Items { get; } = items;
    public IReadOnlyList<KeyValuePair<string, IdempotencyRecord>> Records { get; init; } = [];
    public Membership? Membership { get; init; }

    public void WriteTo(Stream destination)
    {
        using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        if (Membership is not null)
        {
            writer.Write(MembershipMarker);
            WriteBlock(writer, Membership.Encode());
        }
        writer.Write(Records.Count == 0 ? FormatMarker : WithRecordsMarker);
        writer.Write((long)Items.Count);
        foreach (var (key, value) in Items)
        {
            WriteBlock(writer, Encoding.UTF8.GetBytes(key));
            writer.Write((byte)value.Kind);
            writer.Write(value.Revision);
            writer.Write(value.DeadlineMs);
            StoredValueCodec.Write(writer, value);
        }
        if (Records.Count == 0)
            return;
        writer.Write((long)Records.Count);
        foreach (var (key, record) in Records)
        {
            WriteBlock(writer, Encoding.UTF8.GetBytes(key));
            writer.Write(record.Fingerprint);
            writer.Write(record.Index);
            writer.Write(record.Term);
            writer.Write(record.DeadlineMs);
            writer.Write(record.Existed);
            CommandReplyCodec.Write(writer, record.Reply);
        }
    }

    /// <summary>
    /// Reads a body of <paramref name="bodyBytes"/> bytes written by <see cref="WriteTo"/> (or by the format before it)
    /// from <paramref name="body"/>, one item at a time, so restoring never holds the encoded body and the store at once.
    /// Throws <see cref="InvalidDataException"/> on a malformed body.
    /// </summary>
    public static StoreSnapshot ReadFrom(Stream body, long bodyBytes, long appliedIndex, ulong appliedDigest)
    {
        var reader = new BodyReader(body, bodyBytes);
        var marker = reader.ReadInt64();
        Membership? membership = null;
        if (marker == MembershipMarker)
        {
            if (!Membership.TryDecode(reader.ReadRequiredBlock(), out membership))
                throw new InvalidDataException("snapshot holds a malformed configuration");
            marker = reader.ReadInt64();
        }
        var legacy = marker >= 0;
        var count = marker is FormatMarker or WithRecordsMarker ? reader.ReadInt64() : marker;
        var items = new KeyValuePair<string, StoredValue>[Count(count, bodyBytes, MinItemBytes, "keys")];
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadRequiredText();
            items[i] = KeyValuePair.Create(key, legacy ? StoredValueCodec.ReadString(reader, 0, 0) : StoredValueCodec.Read(reader));
        }
        var records = marker == WithRecordsMarker ? ReadRecords(reader, bodyBytes) : [];
        if (reader.Remaining != 0)
            throw new InvalidDataException($"snapshot has {reader.Remaining} unexpected trailing bytes");
        return new StoreSnapshot(appliedIndex, appliedDigest, items) { Records = records, Membership = membership };
    }

    private static KeyValuePair<string, IdempotencyRecord>[] ReadRecords(BodyReader reader, long bodyBytes)
    {
        var records = new KeyValuePair<string, IdempotencyRecord>[Count(reader.ReadInt64(), bodyBytes, MinRecordBytes, "idempotency records")];
        for (var i = 0; i < records.Length; i++)
        {
            var key = reader.ReadRequiredText();
            var fingerprint = unchecked((ulong)reader.ReadInt64());
            var index = reader.ReadInt64();
            var term = reader.ReadInt64();
            var deadline = reader.ReadInt64();
            var existed = reader.ReadByte() switch
            {
                0 => false,
                1 => true,
                var other => throw new InvalidDataException($"snapshot has an idempotency record whose 'existed' is {other}"),
            };
            records[i] = KeyValuePair.Create(key, new IdempotencyRecord(fingerprint, index, term, existed, CommandReplyCodec.Read(reader), deadline));
        }
        return records;
    }

    /// <summary>A count read from the body, which each item it counts must have room for: a lying count fails before anything is allocated.</summary>
    private static int Count(long count, long bodyBytes, int minBytes, string what) =>
        count < 0 || count > bodyBytes / minBytes || count > Array.MaxLength ? throw new InvalidDataException($"snapshot claims {count} {what}") : (int)count;

    // An item is at least its three block lengths; a record its key's length, four numbers, a flag and a reply tag.
    private const int MinItemBytes = 12;
    private const int MinRecordBytes = 4 + 32 + 1 + 1;

    internal static void WriteBlock(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads blocks from a stream without ever reading past the body's end.</summary>
    internal sealed class BodyReader(Stream stream, long bodyBytes)
    {
        private readonly byte[] _number = new byte[8];
        private byte[] _text = new byte[256];

        private long _offset;

        public long Remaining => bodyBytes - _offset;

        public long ReadInt64()
        {
            Fill(_number);
            return BinaryPrimitives.ReadInt64LittleEndian(_number);
        }

        public byte ReadByte()
        {
            Fill(_number.AsSpan(0, 1));
            return _number[0];
        }

        /// <summary>A count of items that follow, each at least a 4-byte length: a lying count fails before anything is allocated.</summary>
        public int ReadCount()
        {
            Fill(_number.AsSpan(0, 4));
            var count = BinaryPrimitives.ReadInt32LittleEndian(_number);
            if (count < 0 || count > Remaining / 4)
                throw new InvalidDataException($"snapshot claims {count} items at offset {_offset - 4}");
            return count;
        }

        /// <summary>A length-prefixed block; null for the length -1 (no content type).</summary>
        public byte[]? ReadBlock()
        {
            if (ReadLength() is not { } length)
                return null;
            var block = new byte[length];
            Fill(block);
            return block;
        }

        /// <summary>A block that must be there (the length -1 is damage).</summary>
        public byte[] ReadRequiredBlock() => ReadBlock() ?? throw new InvalidDataException($"snapshot has a missing block at offset {_offset - 4}");

        /// <summary>Text that must be there (the length -1 is damage).</summary>
        public string ReadRequiredText() => ReadText() ?? throw new InvalidDataException($"snapshot has a missing block at offset {_offset - 4}");

        /// <summary>A length-prefixed UTF-8 block as text, decoded from a buffer reused across items.</summary>
        public string? ReadText()
        {
            if (ReadLength() is not { } length)
                return null;
            if (_text.Length < length)
                _text = new byte[Math.Max(length, _text.Length * 2)];
            Fill(_text.AsSpan(0, length));
            return Encoding.UTF8.GetString(_text, 0, length);
        }

        private int? ReadLength()
        {
            Fill(_number.AsSpan(0, 4));
            var length = BinaryPrimitives.ReadInt32LittleEndian(_number);
            if (length == -1)
                return null;
            if (length < 0 || length > Remaining)
                throw new InvalidDataException($"snapshot block of {length} bytes at offset {_offset - 4} does not fit");
            return length;
        }

        private void Fill(Span<byte> destination)
        {
            if (destination.Length > Remaining)
                throw new InvalidDataException("snapshot body is cut short");
            stream.ReadExactly(destination);
            _offset += destination.Length;
        }
    }
}
