using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>Encodes and decodes the fixed-size arguments of <see cref="CommandOp"/>s.</summary>
public static class CommandArgs
{
    public static byte[] Long(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Byte(byte value) => [value];

    /// <summary>A score: its IEEE bits, so every node reads back exactly the number the primary parsed.</summary>
    public static byte[] Double(double value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>A committed entry with a malformed argument was written by no KvAspire: stop rather than guess.</summary>
    public static long ReadLong(ReadOnlyMemory<byte> arg) =>
        arg.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(arg.Span) : throw new InvalidDataException("an 8-byte argument has " + arg.Length);

    public static int ReadInt(ReadOnlyMemory<byte> arg) =>
        arg.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(arg.Span) : throw new InvalidDataException("a 4-byte argument has " + arg.Length);

    public static byte ReadByte(ReadOnlyMemory<byte> arg) =>
        arg.Length == 1 ? arg.Span[0] : throw new InvalidDataException("a 1-byte argument has " + arg.Length);

    public static double ReadDouble(ReadOnlyMemory<byte> arg) =>
        arg.Length == 8 && BinaryPrimitives.ReadDoubleLittleEndian(arg.Span) is var value && !double.IsNaN(value)
            ? value : throw new InvalidDataException("a score argument is not a number");

    public static string ReadText(ReadOnlyMemory<byte> arg) => Encoding.UTF8.GetString(arg.Span);
}
