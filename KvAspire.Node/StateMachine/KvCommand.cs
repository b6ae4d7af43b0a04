using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A log entry's payload: op, the primary's clock when it proposed, key, value (plus the value's content
/// type, so HTTP clients get back what they stored) and the op's further arguments. Encoded, little endian, as
/// <c>[version:1][op:1][timestampMs:8][keyLen:4][key][typeLen:4][type][valueLen:4][value][argCount:4]{[argLen:4][arg]}</c>.
/// Version 1, the format before revisions and arguments existed, ends after the value; it still decodes, and
/// what it changes gets revision 0, so every node gives a key the same revision however it learnt the key.
/// </summary>
public sealed record KvCommand(CommandOp Op, string Key, ReadOnlyMemory<byte> Value, string? ContentType, long TimestampMs)
{
    private const byte LegacyVersion = 1;
    private const byte FormatVersion = 2;
    private const int LegacyHeader = 1 + 1 + 8 + 4 + 4 + 4;

    /// <summary>The op's arguments beyond key and value; their meaning is the op's (see <see cref="CommandOp"/>).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Args { get; init; } = [];

    /// <summary>False for a version 1 entry: its changes get revision 0.</summary>
    public bool HasRevision { get; init; } = true;

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

    /// <summary>Any op with its arguments.</summary>
    public static KvCommand Of(CommandOp op, string key, long timestampMs, params ReadOnlyMemory<byte>[] args) =>
        new(op, key, ReadOnlyMemory<byte>.Empty, null, timestampMs) { Args = args };

    public byte[] Encode()
    {
        var keyLength = Encoding.UTF8.GetByteCount(Key);
        var typeLength = ContentType is null ? 0 : Encoding.UTF8.GetByteCount(ContentType);
        var argBytes = 0;
        foreach (var arg in Args)
            argBytes += 4 + arg.Length;
        var buffer = new byte[LegacyHeader + keyLength + typeLength + Value.Length + 4 + argBytes];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)Op;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], TimestampMs);
        var offset = 10;
        offset += WriteString(span[offset..], Key, keyLength);
        offset += WriteString(span[offset..], ContentType ?? "", typeLength);
        offset += WriteBlock(span[offset..], Value.Span);
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], Args.Count);
        offset += 4;
        foreach (var arg in Args)
            offset += WriteBlock(span[offset..], arg.Span);
        return buffer;
    }

    /// <summary>Decodes a payload; false for anything malformed (never throws on bad input).</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out KvCommand command)
    {
        command = null!;
        var span = payload.Span;
        if (span.Length < LegacyHeader || span[0] is not (LegacyVersion or FormatVersion) || !Enum.IsDefined((CommandOp)span[1]))
            return false;
        var legacy = span[0] == LegacyVersion;
        var op = (CommandOp)span[1];
        // Ops that came with version 2 in a version 1 entry: not something this code ever wrote.
        if (legacy && op > CommandOp.SetIfPresent)
            return false;
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(span[2..]);
        var offset = 10;
        if (!TryReadBlock(payload, ref offset, out var keyBytes) || !TryReadBlock(payload, ref offset, out var typeBytes)
            || !TryReadBlock(payload, ref offset, out var value) || !TryReadArgs(payload, legacy, ref offset, out var args)
            || offset != payload.Length)
            return false;
        var contentType = typeBytes.IsEmpty ? null : Encoding.UTF8.GetString(typeBytes.Span);
        command = new KvCommand(op, Encoding.UTF8.GetString(keyBytes.Span), value, contentType, timestamp) { Args = args, HasRevision = !legacy };
        return true;
    }

    private static bool TryReadArgs(ReadOnlyMemory<byte> payload, bool legacy, ref int offset, out IReadOnlyList<ReadOnlyMemory<byte>> args)
    {
        args = [];
        if (legacy)
            return true;
        if (payload.Length - offset < 4)
            return false;
        var count = BinaryPrimitives.ReadInt32LittleEndian(payload.Span[offset..]);
        offset += 4;
        // Each argument takes at least its 4-byte length, which bounds a lying count before anything is allocated.
        if (count < 0 || count > (payload.Length - offset) / 4)
            return false;
        if (count == 0)
            return true;
        var items = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            if (!TryReadBlock(payload, ref offset, out items[i]))
                return false;
        }
        args = items;
        return true;
    }

    private static int WriteString(Span<byte> destination, string text, int byteCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, byteCount);
        Encoding.UTF8.GetBytes(text, destination[4..]);
        return 4 + byteCount;
    }

    private static int WriteBlock(Span<byte> destination, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, bytes.Length);
        bytes.CopyTo(destination[4..]);
        return 4 + bytes.Length;
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
