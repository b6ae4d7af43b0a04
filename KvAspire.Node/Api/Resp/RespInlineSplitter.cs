using System.Buffers;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Splits an inline command line into arguments the way Redis' <c>sdssplitargs</c> does: spaces
/// separate, <c>"..."</c> understands <c>\n \r \t \b \a \\ \"</c> and <c>\xHH</c>, <c>'...'</c>
/// understands only <c>\'</c>, and a closing quote must be followed by a space or the end.
/// </summary>
internal static class RespInlineSplitter
{
    /// <summary>
    /// <paramref name="scratch"/> holds the line in [0, length) and has room for the unescaped
    /// arguments in [length, 2 * length). False on unbalanced quotes.
    /// </summary>
    public static bool TrySplit(byte[] scratch, int length, RespArguments arguments)
    {
        var end = length > 0 && scratch[length - 1] == (byte)'\r' ? length - 1 : length;
        var p = 0;
        var output = length;
        while (true)
        {
            while (p < end && IsSpace(scratch[p]))
                p++;
            if (p == end)
                return true;
            var start = output;
            if (!TryReadArgument(scratch, end, ref p, ref output))
                return false;
            arguments.Add(new ReadOnlySequence<byte>(scratch, start, output - start));
        }
    }

    private static bool TryReadArgument(byte[] s, int end, ref int p, ref int output)
    {
        byte quote = 0; // the open quote character, or 0 outside quotes
        for (; ; p++)
        {
            if (quote == 0)
            {
                if (p == end || IsSpace(s[p]))
                    return true;
                if (s[p] is (byte)'"' or (byte)'\'')
                    quote = s[p];
                else
                    s[output++] = s[p];
                continue;
            }
            if (p == end)
                return false;
            if (s[p] == quote)
            {
                // A closing quote must end the argument.
                p++;
                return p == end || IsSpace(s[p]);
            }
            if (quote == '"' && s[p] == '\\' && p + 3 < end && s[p + 1] == 'x' && IsHex(s[p + 2]) && IsHex(s[p + 3]))
            {
                s[output++] = (byte)(Hex(s[p + 2]) * 16 + Hex(s[p + 3]));
                p += 3;
            }
            else if (quote == '"' && s[p] == '\\' && p + 1 < end)
            {
                p++;
                s[output++] = s[p] switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    (byte)'b' => (byte)'\b',
                    (byte)'a' => (byte)'\a',
                    var other => other
                };
            }
            else if (quote == '\'' && s[p] == '\\' && p + 1 < end && s[p + 1] == '\'')
            {
                p++;
                s[output++] = (byte)'\'';
            }
            else
            {
                s[output++] = s[p];
            }
        }
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
