namespace KvAspire.Node.StateMachine;

/// <summary>Integers as text, read exactly as Redis 7.0 reads them, so what Redis refuses is refused here too.</summary>
public static class IntegerText
{
    /// <summary>The most digits a long (with its sign: "-9223372036854775808") or a ulong can have.</summary>
    public const int MaxDigits = 20;

    /// <summary>
    /// Redis' <c>string2ll</c>: an optional '-', then digits without a leading zero ("0" alone is
    /// zero); no '+', no spaces, no "-0", nothing outside the range of a long.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.Length == 1 && text[0] == '0')
            return true;
        if (text.Length > MaxDigits)
            return false;
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

    /// <summary>The unsigned value of a run of decimal digits; false on any other byte or on overflow.</summary>
    public static bool TryAccumulate(ReadOnlySpan<byte> digits, out ulong value)
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

    public static byte[] Format(long value) => System.Text.Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
