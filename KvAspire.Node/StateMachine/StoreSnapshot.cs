using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A point-in-time copy of the store at <see cref="AppliedIndex"/>, built beside the host loop (see
/// <see cref="StoreCapture"/>); it holds references to the values, which are immutable.
/// Body format, little endian: <c>[-2:8][count:8]</c> then per key
/// <c>[keyLen:4][key][kind:1][revision:8][deadlineMs:8]</c> and the value: for a string
/// <c>[typeLen:4, -1 for none][type][valueLen:4][value]</c>, for a hash <c>[fields:4]</c> then field and value
/// blocks, for a list or set <c>[items:4]</c> then a block each. The body before revisions existed (still read)
/// started with the count, which is never negative, and held strings only: <c>[keyLen:4][key][typeLen:4][type][valueLen:4][value]</c>.
/// </summary>
public sealed class StoreSnapshot(long appliedIndex, ulong appliedDigest, KeyValuePair<string, StoredValue>[] items)
{
    private const long FormatMarker = -2;

    public long AppliedIndex { get; } = appliedIndex;
    public ulong AppliedDigest { get; } = appliedDigest;
    public IReadOnlyList<KeyValuePair<string, StoredValue>> Items { get; } = items;

    public void WriteTo(Stream destination)
    {
        using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        writer.Write(FormatMarker);
        writer.Write((long)Items.Count);
        foreach (var (key, value) in Items)
        {
            WriteBlock(writer, Encoding.UTF8.GetBytes(key));
            writer.Write((byte)value.Kind);
            writer.Write(value.Revision);
            writer.Write(value.DeadlineMs);
            StoredValueCodec.Write(writer, value);
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
        var count = reader.ReadInt64();
        var legacy = count >= 0;
        if (count == FormatMarker)
            count = reader.ReadInt64();
        if (count < 0 || count > bodyBytes / MinItemBytes)
            throw new InvalidDataException($"snapshot claims {count} keys");
        var items = new KeyValuePair<string, StoredValue>[count];
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadText() ?? throw new InvalidDataException("snapshot has a missing block");
            items[i] = KeyValuePair.Create(key, legacy ? StoredValueCodec.ReadString(reader, 0, 0) : StoredValueCodec.Read(reader));
        }
        if (reader.Remaining != 0)
            throw new InvalidDataException($"snapshot has {reader.Remaining} unexpected trailing bytes");
        return new StoreSnapshot(appliedIndex, appliedDigest, items);
    }

    // An item is at least its three block lengths.
    private const int MinItemBytes = 12;

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
