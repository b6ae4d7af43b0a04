using System.Buffers;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Numbers in requests, read exactly as Redis 7.0 reads them, so a request Redis refuses is refused
/// here too. Allocation-free: a number is at most 20 bytes, copied to the stack when split.
/// </summary>
internal static class RespNumber
{
    /// <summary>The most digits a long (with its sign: "-9223372036854775808") or a ulong can have.</summary>
    private const int MaxDigits = 20;

    /// <summary>
    /// Redis' <c>string2ll</c>: an optional '-', then digits without a leading zero ("0" alone is
    /// zero); no '+', no spaces, no "-0", nothing outside the range of a long.
    /// </summary>
    public static bool TryParseInteger(ReadOnlySequence<byte> text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > MaxDigits)
            return false;
        Span<byte> copy = stackalloc byte[MaxDigits];
        text.CopyTo(copy);
        return TryParseInteger(copy[..(int)text.Length], out value);
    }

    /// <inheritdoc cref="TryParseInteger(ReadOnlySequence{byte}, out long)"/>
    public static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 1 && text[0] == '0')
            return true;
        var negative = !text.IsEmpty && text[0] == '-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits[0] is < (byte)'1' or > (byte)'9' || !TryAccumulate(digits, out var magnitude))
            return false;
        // The magnitude of long.MinValue is one more than long.MaxValue.
        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue)
            return false;
        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>
    /// A SCAN cursor as Redis 7.0 reads it (C's <c>strtoul</c>, refused when it starts with a space):
    /// an optional sign, then decimal digits, leading zeros allowed, the empty string is 0, and a '-'
    /// wraps around as unsigned arithmetic does ("-1" is 18446744073709551615).
    /// </summary>
    public static bool TryParseCursor(ReadOnlySequence<byte> text, out ulong cursor)
    {
        cursor = 0;
        if (text.IsEmpty)
            return true;
        // Leading zeros are allowed, so a long cursor may still be in range: trim them after the sign.
        Span<byte> copy = stackalloc byte[MaxDigits];
        var reader = new SequenceReader<byte>(text);
        var negative = reader.IsNext((byte)'-', advancePast: true);
        if (!negative)
            reader.IsNext((byte)'+', advancePast: true);
        var zeros = reader.AdvancePast((byte)'0');
        if (reader.Remaining > copy.Length)
            return false;
        var length = (int)reader.Remaining;
        reader.UnreadSequence.CopyTo(copy);
        var digits = copy[..length];
        if (digits.IsEmpty && zeros == 0 || !digits.IsEmpty && !TryAccumulate(digits, out cursor))
            return false;
        cursor = negative ? 0 - cursor : cursor;
        return true;
    }

    /// <summary>The unsigned value of a run of decimal digits; false on any other byte or on overflow.</summary>
    private static bool TryAccumulate(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            var d = (uint)(digit - '0');
            if (d > 9 || value > (ulong.MaxValue - d) / 10)
                return false;
            value = value * 10 + d;
        }
        return true;
    }
}
