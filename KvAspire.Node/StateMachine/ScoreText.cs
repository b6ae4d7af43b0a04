using System.Globalization;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>Scores of sorted sets as Redis 7.0 reads and prints them.</summary>
public static class ScoreText
{
    /// <summary>
    /// A score as ZADD and ZINCRBY read it (Redis' <c>getDoubleFromObject</c>, C's <c>strtod</c>): no leading space, nothing
    /// after the number, <c>inf</c> and <c>infinity</c> in any case, no NaN, nothing that overflows or underflows to zero.
    /// Hexadecimal floats, which strtod also reads, are refused.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double score)
    {
        score = 0;
        if (text.IsEmpty || IsSpace(text[0]))
            return false;
        if (TryParseInfinity(text, out score))
            return true;
        if (!TryParseDecimal(text, out score))
            return false;
        var unsigned = text.TrimStart("+-"u8);
        var mantissa = unsigned[..(unsigned.IndexOfAny("eE"u8) is var e and >= 0 ? e : unsigned.Length)];
        // strtod's ERANGE, which Redis refuses: a finite number too large for a double, or a nonzero one too small.
        return double.IsFinite(score) && (score != 0 || !mantissa.ContainsAnyInRange((byte)'1', (byte)'9'));
    }

    /// <summary>
    /// A bound of a score range (Redis' <c>zslParseRange</c>): a leading <c>(</c> makes it exclusive, and the rest is read
    /// by strtod alone, which skips leading spaces, reads an empty string as 0 and an overflow as an infinity.
    /// </summary>
    public static bool TryParseBound(ReadOnlySpan<byte> text, out ScoreBound bound)
    {
        bound = default;
        var exclusive = !text.IsEmpty && text[0] == '(';
        var number = (exclusive ? text[1..] : text).TrimStart(" \t\n\v\f\r"u8);
        double value = 0;
        if (!number.IsEmpty && !TryParseInfinity(number, out value) && !TryParseDecimal(number, out value))
            return false;
        bound = new ScoreBound(value, exclusive);
        return true;
    }

    private static bool TryParseInfinity(ReadOnlySpan<byte> text, out double value)
    {
        var unsigned = text[0] is (byte)'+' or (byte)'-' ? text[1..] : text;
        var infinite = Ascii.EqualsIgnoreCase(unsigned, "inf"u8) || Ascii.EqualsIgnoreCase(unsigned, "infinity"u8);
        value = !infinite ? 0 : text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        return infinite;
    }

    /// <summary>A decimal number, an overflow read as an infinity and an underflow as 0 (strtod's value, without its ERANGE).</summary>
    private static bool TryParseDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        return !text.ContainsAnyExcept("0123456789.eE+-"u8)
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value);
    }

    /// <summary>C's <c>%.17g</c>, as Redis 7.0 prints a score: <c>1</c>, <c>1.5</c>, <c>0.10000000000000001</c>, <c>1e+20</c>,
    /// <c>inf</c>; a negative zero prints as 0, as Redis answers it.</summary>
    public static string Format(double score) => score switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        0 => "0",
        _ => score.ToString("G17", CultureInfo.InvariantCulture).Replace('E', 'e'),
    };

    public static byte[] Utf8(double score) => Encoding.ASCII.GetBytes(Format(score));

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';
}
