using System.IO.Hashing;
using System.Text;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// The <c>Idempotency-Key</c> request header (IETF httpapi draft): a client names a write so that its retries, after a
/// timeout, a <c>leadership_lost</c> or a dropped connection, are applied at most once. The key is 1-255 visible ASCII
/// characters, bare or as a quoted string; a UUID per logical write is the usual choice. Keys are one namespace for
/// the whole store. The request's fingerprint tells a retry (same method, key, value, content type, time to live and
/// conditions) from a different request that reuses the key.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set to <c>true</c> on an answer that repeats an earlier write's instead of applying this one.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const int MaxLength = 255;

    /// <summary>The header's key: null when absent; false with <paramref name="problem"/> when malformed.</summary>
    public static bool TryRead(HttpRequest request, out string? key, out string? problem)
    {
        key = null;
        problem = null;
        var values = request.Headers[Header];
        if (values.Count == 0)
            return true;
        if (values.Count > 1)
        {
            problem = $"send one {Header} header, not {values.Count}";
            return false;
        }
        var text = values[0]!;
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
            text = text[1..^1];
        if (text.Length is 0 or > MaxLength || !text.All(c => c is >= '!' and <= '~'))
        {
            problem = $"{Header} must be 1 to {MaxLength} visible ASCII characters (a UUID, say), bare or quoted";
            return false;
        }
        key = text;
        return true;
    }

    /// <summary>What identifies the request, apart from the connection it came on and how it asks to be acknowledged.</summary>
    public static ulong Fingerprint(HttpRequest request, string key, ReadOnlySpan<byte> value)
    {
        var hash = new XxHash64();
        foreach (var part in (ReadOnlySpan<string?>)[request.Method, key, request.ContentType, request.Headers.IfMatch, request.Headers.IfNoneMatch,
                     request.Headers[KvApi.TtlHeader], request.Query["ttl"]])
        {
            // Each part is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
            var bytes = Encoding.UTF8.GetBytes(part ?? "");
            hash.Append(BitConverter.GetBytes(bytes.Length));
            hash.Append(bytes);
        }
        hash.Append(value);
        return hash.GetCurrentHashAsUInt64();
    }
}
