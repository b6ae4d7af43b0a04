using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A point-in-time copy of the store at <see cref="AppliedIndex"/>. Capturing copies references only
/// (values are immutable), so the host loop pauses briefly; writing it out happens elsewhere.
/// Body format, little endian: <c>[count:8]</c> then per key
/// <c>[keyLen:4][key][typeLen:4, -1 for none][type][valueLen:4][value]</c>.
/// </summary>
public sealed class StoreSnapshot(long appliedIndex, ulong appliedDigest, KeyValuePair<string, StoredValue>[] items)
{
    public long AppliedIndex { get; } = appliedIndex;
    public ulong AppliedDigest { get; } = appliedDigest;
    public IReadOnlyList<KeyValuePair<string, StoredValue>> Items { get; } = items;

    public void WriteTo(Stream destination)
    {
        using var writer = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        writer.Write((long)Items.Count);
        foreach (var (key, value) in Items)
        {
            WriteBlock(writer, Encoding.UTF8.GetBytes(key));
            if (value.ContentType is null)
                writer.Write(-1);
            else
                WriteBlock(writer, Encoding.UTF8.GetBytes(value.ContentType));
            WriteBlock(writer, value.Value.Span);
        }
    }

    /// <summary>Reads a body written by <see cref="WriteTo"/>; throws <see cref="InvalidDataException"/> on a malformed one.</summary>
    public static StoreSnapshot ReadFrom(ReadOnlyMemory<byte> body, long appliedIndex, ulong appliedDigest)
    {
        var offset = 0;
        var count = ReadInt64(body.Span, ref offset);
        if (count < 0 || count > body.Length)
            throw new InvalidDataException($"snapshot claims {count} keys");
        var items = new KeyValuePair<string, StoredValue>[count];
        for (var i = 0; i < count; i++)
        {
            var key = Encoding.UTF8.GetString(ReadBlock(body, ref offset).Span);
            var type = ReadBlock(body, ref offset, allowNull: true) is { } t ? Encoding.UTF8.GetString(t.Span) : null;
            var value = ReadBlock(body, ref offset).ToArray();
            items[i] = KeyValuePair.Create(key, new StoredValue(value, type));
        }
        if (offset != body.Length)
            throw new InvalidDataException($"snapshot has {body.Length - offset} unexpected trailing bytes");
        return new StoreSnapshot(appliedIndex, appliedDigest, items);
    }

    private static void WriteBlock(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static long ReadInt64(ReadOnlySpan<byte> span, ref int offset)
    {
        if (span.Length - offset < 8)
            throw new InvalidDataException("snapshot body is cut short");
        var value = BinaryPrimitives.ReadInt64LittleEndian(span[offset..]);
        offset += 8;
        return value;
    }

    private static ReadOnlyMemory<byte> ReadBlock(ReadOnlyMemory<byte> body, ref int offset) =>
        ReadBlock(body, ref offset, allowNull: false) ?? throw new InvalidDataException("snapshot has a missing block");

    private static ReadOnlyMemory<byte>? ReadBlock(ReadOnlyMemory<byte> body, ref int offset, bool allowNull)
    {
        if (body.Length - offset < 4)
            throw new InvalidDataException("snapshot body is cut short");
        var length = BinaryPrimitives.ReadInt32LittleEndian(body.Span[offset..]);
        offset += 4;
        if (length == -1 && allowNull)
            return null;
        if (length < 0 || length > body.Length - offset)
            throw new InvalidDataException($"snapshot block of {length} bytes at offset {offset - 4} does not fit");
        var block = body.Slice(offset, length);
        offset += length;
        return block;
    }
}
