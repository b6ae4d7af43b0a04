using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace KvAspire.Gateway.Resp;

public enum RespFirstCommandStatus
{
    Incomplete,
    Command,
    Invalid,
}

/// <summary>
/// Reads the first command of a connection (a RESP array of bulk strings, or an inline line) under the
/// limits Redis holds an unauthenticated client to: at most <see cref="MaxArguments"/> arguments of at most
/// <see cref="MaxArgumentBytes"/> each. The gateway reads no further: after it, bytes pass through unread.
/// </summary>
public static class RespFirstCommand
{
    public const int MaxArguments = 10;
    public const int MaxArgumentBytes = 16 * 1024;
    private const int MaxLineBytes = 64 * 1024;

    public static RespFirstCommandStatus TryRead(ReadOnlySequence<byte> buffer, out List<string> arguments)
    {
        arguments = [];
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryPeek(out var first))
            return RespFirstCommandStatus.Incomplete;
        return first == (byte)'*' ? TryReadArray(ref reader, arguments) : TryReadInline(ref reader, arguments);
    }

    private static RespFirstCommandStatus TryReadArray(ref SequenceReader<byte> reader, List<string> arguments)
    {
        reader.Advance(1);
        var header = TryReadNumber(ref reader, out var count);
        if (header != RespFirstCommandStatus.Command)
            return header;
        if (count is < 1 or > MaxArguments)
            return RespFirstCommandStatus.Invalid;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var prefix))
                return RespFirstCommandStatus.Incomplete;
            if (prefix != (byte)'$')
                return RespFirstCommandStatus.Invalid;
            var length = TryReadNumber(ref reader, out var bytes);
            if (length != RespFirstCommandStatus.Command)
                return length;
            if (bytes is < 0 or > MaxArgumentBytes)
                return RespFirstCommandStatus.Invalid;
            if (reader.Remaining < bytes + 2)
                return RespFirstCommandStatus.Incomplete;
            var item = reader.UnreadSequence.Slice(0, bytes);
            reader.Advance(bytes);
            if (!reader.IsNext("\r\n"u8, advancePast: true))
                return RespFirstCommandStatus.Invalid;
            arguments.Add(Encoding.UTF8.GetString(item));
        }
        return RespFirstCommandStatus.Command;
    }

    private static RespFirstCommandStatus TryReadInline(ref SequenceReader<byte> reader, List<string> arguments)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            return reader.Remaining > MaxLineBytes ? RespFirstCommandStatus.Invalid : RespFirstCommandStatus.Incomplete;
        if (line.Length > MaxLineBytes)
            return RespFirstCommandStatus.Invalid;
        arguments.AddRange(Encoding.UTF8.GetString(line).TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return arguments.Count is > 0 and <= MaxArguments ? RespFirstCommandStatus.Command : RespFirstCommandStatus.Invalid;
    }

    /// <summary>A decimal number ending in CRLF, as in <c>*3\r\n</c> and <c>$5\r\n</c>.</summary>
    private static RespFirstCommandStatus TryReadNumber(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!reader.TryReadTo(out ReadOnlySpan<byte> digits, "\r\n"u8))
            return reader.Remaining > 32 ? RespFirstCommandStatus.Invalid : RespFirstCommandStatus.Incomplete;
        return Utf8Parser.TryParse(digits, out value, out var consumed) && consumed == digits.Length
            ? RespFirstCommandStatus.Command
            : RespFirstCommandStatus.Invalid;
    }
}
