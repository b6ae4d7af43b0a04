using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// The seed's log entry payload: timestamp, op, key, value (plus the value's content type, so HTTP
/// clients get back what they stored). Encoded as
/// <c>[version:1][op:1][timestampMs:8][keyLen:4][key][typeLen:4][type][valueLen:4][value]</c>, little endian.
/// </summary>
public sealed record KvCommand(CommandOp Op, string Key, ReadOnlyMemory<byte> Value, string? ContentType, long TimestampMs)
{
    private const byte FormatVersion = 1;
    private const int FixedHeader = 1 + 1 + 8 + 4 + 4 + 4;

    public static KvCommand Set(string key, ReadOnlyMemory<byte> value, string? contentType, long timestampMs) =>
        new(CommandOp.Set, key, value, contentType, timestampMs);

    /// <summary>A set that the state machine applies only if <paramref name="op"/>'s condition holds at apply time,
    /// so the decision is the same on every node and never races with other writers.</summary>
    public static KvCommand SetIf(CommandOp op, string key, ReadOnlyMemory<byte> value, string? contentType, long timestampMs) =>
        op is CommandOp.SetIfAbsent or CommandOp.SetIfPresent
            ? new(op, key, value, contentType, timestampMs)
            : throw new ArgumentOutOfRangeException(nameof(op), op, "not a conditional set");

    public static KvCommand Delete(string key, long timestampMs) =>
        new(CommandOp.Delete, key, ReadOnlyMemory<byte>.Empty, null, timestampMs);

    public byte[] Encode()
    {
        var keyLength = Encoding.UTF8.GetByteCount(Key);
        var typeLength = ContentType is null ? 0 : Encoding.UTF8.GetByteCount(ContentType);
        var buffer = new byte[FixedHeader + keyLength + typeLength + Value.Length];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)Op;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], TimestampMs);
        var offset = 10;
        offset += WriteString(span[offset..], Key, keyLength);
        offset += WriteString(span[offset..], ContentType ?? "", typeLength);
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], Value.Length);
        Value.Span.CopyTo(span[(offset + 4)..]);
        return buffer;
    }

    /// <summary>Decodes a payload; false for anything malformed (never throws on bad input).</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out KvCommand command)
    {
        command = null!;
        var span = payload.Span;
        if (span.Length < FixedHeader || span[0] != FormatVersion || !Enum.IsDefined((CommandOp)span[1]))
            return false;
        var op = (CommandOp)span[1];
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(span[2..]);
        var offset = 10;
        if (!TryReadBlock(payload, ref offset, out var keyBytes) || !TryReadBlock(payload, ref offset, out var typeBytes)
            || !TryReadBlock(payload, ref offset, out var value) || offset != payload.Length)
            return false;
        var contentType = typeBytes.IsEmpty ? null : Encoding.UTF8.GetString(typeBytes.Span);
        command = new KvCommand(op, Encoding.UTF8.GetString(keyBytes.Span), value, contentType, timestamp);
        return true;
    }

    private static int WriteString(Span<byte> destination, string text, int byteCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, byteCount);
        Encoding.UTF8.GetBytes(text, destination[4..]);
        return 4 + byteCount;
    }

    private static bool TryReadBlock(ReadOnlyMemory<byte> payload, ref int offset, out ReadOnlyMemory<byte> block)
    {
        block = default;
        if (payload.Length - offset < 4)
            return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(payload.Span[offset..]);
        if (length < 0 || length > payload.Length - offset - 4)
            return false;
        block = payload.Slice(offset + 4, length);
        offset += 4 + length;
        return true;
    }
}
