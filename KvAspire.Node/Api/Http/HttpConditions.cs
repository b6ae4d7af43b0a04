using System.Globalization;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// What a write asks of the key's current state, from <c>If-Match</c> and <c>If-None-Match</c>: a key's
/// <c>ETag</c> is its revision (the log index of its last change), so these are compare-and-set.
/// </summary>
public sealed record HttpConditions(SetFlags Flags, long? Revision)
{
    public static readonly HttpConditions None = new(SetFlags.None, null);

    public bool IsNone => Flags == SetFlags.None && Revision is null;

    /// <summary>Reads the two headers; null with <paramref name="problem"/> when one is not a single ETag or <c>*</c>.</summary>
    public static HttpConditions? Read(HttpRequest request, out string? problem)
    {
        problem = null;
        var match = request.Headers.IfMatch.ToString();
        var noneMatch = request.Headers.IfNoneMatch.ToString();
        if (match.Length > 0 && noneMatch.Length > 0)
        {
            problem = "send If-Match or If-None-Match, not both";
            return null;
        }
        if (noneMatch.Length > 0)
        {
            if (noneMatch == "*")
                return new HttpConditions(SetFlags.IfAbsent, Transaction.Absent);
            problem = "If-None-Match takes only *: the write happens only if the key does not exist";
            return null;
        }
        if (match.Length == 0)
            return None;
        if (match == "*")
            return new HttpConditions(SetFlags.IfPresent, null);
        if (TryParse(match, out var revision))
            return new HttpConditions(SetFlags.None, revision);
        problem = $"If-Match takes * or one ETag from a GET (such as \"42\"), not {match}";
        return null;
    }

    public static string Format(long revision) => "\"" + revision.ToString(CultureInfo.InvariantCulture) + "\"";

    private static bool TryParse(string etag, out long revision)
    {
        var text = etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;
        text = text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out revision);
    }
}
