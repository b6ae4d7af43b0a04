using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// Encodes log entries and snapshot bodies byte for byte as KvAspire wrote them before typed values,
/// deadlines and revisions existed (commit fe234f8), so tests can check that such data still loads.
/// </summary>
internal static class LegacyFormat
{
    /// <summary><c>[1][op][timestampMs:8][keyLen:4][key][typeLen:4][type][valueLen:4][value]</c>.</summary>
    public static byte[] Set(string key, byte[] value, string? contentType, long timestampMs, byte op = 1)
    {
        var stream = new MemoryStream();
        stream.WriteByte(1);
        stream.WriteByte(op);
        Write(stream, BitConverter.GetBytes(timestampMs));
        Block(stream, Encoding.UTF8.GetBytes(key));
        Block(stream, Encoding.UTF8.GetBytes(contentType ?? ""));
        Block(stream, value);
        return stream.ToArray();
    }

    /// <summary><c>[count:8]</c> then per key <c>[keyLen:4][key][typeLen:4, -1 for none][type][valueLen:4][value]</c>.</summary>
    public static byte[] SnapshotBody(IReadOnlyList<(string Key, byte[] Value, string? ContentType)> items)
    {
        var stream = new MemoryStream();
        var count = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(count, items.Count);
        Write(stream, count);
        foreach (var (key, value, contentType) in items)
        {
            Block(stream, Encoding.UTF8.GetBytes(key));
            if (contentType is null)
                Write(stream, BitConverter.GetBytes(-1));
            else
                Block(stream, Encoding.UTF8.GetBytes(contentType));
            Block(stream, value);
        }
        return stream.ToArray();
    }

    private static void Block(Stream stream, byte[] bytes)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        Write(stream, length);
        Write(stream, bytes);
    }

    private static void Write(Stream stream, byte[] bytes) => stream.Write(bytes);
}
