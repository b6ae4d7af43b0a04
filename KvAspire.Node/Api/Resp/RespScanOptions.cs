using System.Diagnostics.CodeAnalysis;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// What SCAN, HSCAN and SSCAN take after their cursor: <c>MATCH pattern</c>, <c>COUNT n</c> (a page's size,
/// Redis' default 10), and <c>TYPE kind</c> (SCAN only) or <c>NOVALUES</c> (HSCAN only).
/// </summary>
public sealed record RespScanOptions(Func<string, bool>? Match, int Count, ValueKind? Kind, bool NoValues)
{
    public const int DefaultCount = 10;

    /// <summary>Reads the options from argument <paramref name="first"/> on; false with Redis' error text if one is malformed.</summary>
    public static bool TryParse(RespArguments args, int first, RespCommandId command, [NotNullWhen(true)] out RespScanOptions? options,
        [NotNullWhen(false)] out string? error)
    {
        options = null;
        string? pattern = null;
        var count = DefaultCount;
        ValueKind? kind = null;
        var noValues = false;
        for (var i = first; i < args.Count; i++)
        {
            if (command == RespCommandId.HScan && args.Is(i, RespLiterals.NoValues))
            {
                noValues = true;
                continue;
            }
            if (i + 1 >= args.Count)
            {
                error = RespErrors.Syntax;
                return false;
            }
            if (args.Is(i, RespLiterals.Match))
                pattern = args.Text(++i);
            else if (args.Is(i, RespLiterals.Count))
            {
                if (!args.TryInteger(++i, out var n) || n < 1)
                {
                    error = n < 1 && args.TryInteger(i, out _) ? RespErrors.Syntax : RespErrors.NotInteger;
                    return false;
                }
                count = (int)Math.Min(n, int.MaxValue);
            }
            else if (command == RespCommandId.Scan && args.Is(i, RespLiterals.Type))
                // Redis answers no keys for a type it does not know, rather than an error.
                kind = Enum.TryParse<ValueKind>(args.Text(++i), ignoreCase: true, out var known) && Enum.IsDefined(known)
                    ? known : (ValueKind)0;
            else
            {
                error = RespErrors.Syntax;
                return false;
            }
        }
        Func<string, bool>? match = pattern is null or "*" ? null : key => RespGlob.IsMatch(pattern, key);
        options = new RespScanOptions(match, count, kind, noValues);
        error = null;
        return true;
    }
}
