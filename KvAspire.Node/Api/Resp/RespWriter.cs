using System.Buffers;
using System.Text;

namespace KvAspire.Node.Api.Resp;

/// <summary>Writes RESP2 replies into any <see cref="IBufferWriter{T}"/> (the connection's pipe, or a test buffer).</summary>
public static class RespWriter
{
    /// <summary>Large bulk strings are copied in pieces this big, so no single huge buffer is requested.</summary>
    private const int ChunkBytes = 64 * 1024;

    public static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan(Math.Min(bytes.Length, ChunkBytes));
            var n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary><c>+text</c>: the text must not contain CR or LF.</summary>
    public static void WriteSimple(IBufferWriter<byte> output, string text)
    {
        WriteRaw(output, "+"u8);
        WriteUtf8(output, text);
        WriteRaw(output, RespLiterals.CrLf);
    }

    /// <summary><c>-message</c>; each CR and each LF becomes one space, as Redis sanitizes its error replies.</summary>
    public static void WriteError(IBufferWriter<byte> output, string message)
    {
        WriteRaw(output, "-"u8);
        WriteUtf8(output, message.Replace('\r', ' ').Replace('\n', ' '));
        WriteRaw(output, RespLiterals.CrLf);
    }

    public static void WriteInteger(IBufferWriter<byte> output, long value) => WritePrefixed(output, (byte)':', value);

    public static void WriteArrayHeader(IBufferWriter<byte> output, int count) => WritePrefixed(output, (byte)'*', count);

    public static void WriteNull(IBufferWriter<byte> output) => WriteRaw(output, RespLiterals.NullBulk);

    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WritePrefixed(output, (byte)'$', value.Length);
        WriteRaw(output, value);
        WriteRaw(output, RespLiterals.CrLf);
    }

    public static void WriteBulk(IBufferWriter<byte> output, ReadOnlySequence<byte> value)
    {
        WritePrefixed(output, (byte)'$', value.Length);
        foreach (var segment in value)
            WriteRaw(output, segment.Span);
        WriteRaw(output, RespLiterals.CrLf);
    }

    public static void WriteBulk(IBufferWriter<byte> output, string value)
    {
        WritePrefixed(output, (byte)'$', Encoding.UTF8.GetByteCount(value));
        WriteUtf8(output, value);
        WriteRaw(output, RespLiterals.CrLf);
    }

    /// <summary>A flat array of bulk strings (RESP2's shape for maps too: key, value, key, value...).</summary>
    public static void WriteBulkArray(IBufferWriter<byte> output, IReadOnlyCollection<string> items)
    {
        WriteArrayHeader(output, items.Count);
        foreach (var item in items)
            WriteBulk(output, item);
    }

    private static void WritePrefixed(IBufferWriter<byte> output, byte prefix, long value)
    {
        var span = output.GetSpan(24);
        span[0] = prefix;
        value.TryFormat(span[1..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, string text)
    {
        if (text.Length <= ChunkBytes / 3)
        {
            var written = Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
            output.Advance(written);
            return;
        }
        WriteRaw(output, Encoding.UTF8.GetBytes(text));
    }
}
