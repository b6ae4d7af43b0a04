using System.Buffers;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// Numbers in requests, read exactly as Redis 7.0 reads them, so a request Redis refuses is refused
/// here too. Allocation-free: a number is at most 20 bytes, copied to the stack when split.
/// </summary>
internal static class RespNumber
{
    private const int MaxDigits = IntegerText.MaxDigits;

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
    public static bool TryParseInteger(ReadOnlySpan<byte> text, out long value) => IntegerText.TryParse(text, out value);

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
        if (digits.IsEmpty && zeros == 0 || !digits.IsEmpty && !IntegerText.TryAccumulate(digits, out cursor))
            return false;
        cursor = negative ? 0 - cursor : cursor;
        return true;
    }
}
