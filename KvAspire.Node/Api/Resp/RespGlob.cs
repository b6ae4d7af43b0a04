namespace KvAspire.Node.Api.Resp;

/// <summary>Redis' glob patterns (<c>stringmatchlen</c>): <c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[^a]</c>, <c>[a-z]</c>, <c>\x</c>.</summary>
public static class RespGlob
{
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase = false)
    {
        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case '*':
                    while (pattern.Length > 1 && pattern[1] == '*')
                        pattern = pattern[1..];
                    if (pattern.Length == 1)
                        return true;
                    for (var i = 0; i <= text.Length; i++)
                    {
                        if (IsMatch(pattern[1..], text[i..], ignoreCase))
                            return true;
                    }
                    return false;
                case '?':
                    if (text.IsEmpty)
                        return false;
                    text = text[1..];
                    break;
                case '[':
                    if (text.IsEmpty || !TryMatchClass(ref pattern, text[0], ignoreCase))
                        return false;
                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == '\\' && pattern.Length >= 2)
                        pattern = pattern[1..];
                    if (text.IsEmpty || !Same(pattern[0], text[0], ignoreCase))
                        return false;
                    text = text[1..];
                    break;
            }
            pattern = pattern[1..];
        }
        return text.IsEmpty;
    }

    /// <summary>Matches one character against <c>[...]</c>, leaving <paramref name="pattern"/> on the closing bracket.</summary>
    private static bool TryMatchClass(ref ReadOnlySpan<char> pattern, char c, bool ignoreCase)
    {
        pattern = pattern[1..];
        var negate = !pattern.IsEmpty && pattern[0] == '^';
        if (negate)
            pattern = pattern[1..];
        var matched = false;
        while (!pattern.IsEmpty && pattern[0] != ']')
        {
            if (pattern[0] == '\\' && pattern.Length >= 2)
            {
                pattern = pattern[1..];
                matched |= Same(pattern[0], c, ignoreCase);
            }
            else if (pattern.Length >= 3 && pattern[1] == '-')
            {
                var (low, high) = pattern[0] <= pattern[2] ? (pattern[0], pattern[2]) : (pattern[2], pattern[0]);
                var x = ignoreCase ? char.ToLowerInvariant(c) : c;
                matched |= x >= (ignoreCase ? char.ToLowerInvariant(low) : low) && x <= (ignoreCase ? char.ToLowerInvariant(high) : high);
                pattern = pattern[2..];
            }
            else
            {
                matched |= Same(pattern[0], c, ignoreCase);
            }
            if (!pattern.IsEmpty)
                pattern = pattern[1..];
        }
        // An unterminated class ends the pattern, as in Redis; keep the caller's "advance one" valid.
        if (pattern.IsEmpty)
            pattern = "]";
        return negate ? !matched : matched;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
