using System.Text;

namespace KvAspire.Node.Api;

/// <summary>The rules every front end applies to a key before it reaches the log.</summary>
public static class KeyValidation
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Null when <paramref name="key"/> is acceptable, else a message saying what is wrong.</summary>
    public static string? Problem(string? key, LimitsOptions limits)
    {
        if (string.IsNullOrEmpty(key))
            return "the key is empty; use /kv/{key}";
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            return "the key is not valid Unicode";
        }
        return bytes > limits.MaxKeyBytes
            ? $"the key is {bytes} bytes; the limit (Limits:MaxKeyBytes) is {limits.MaxKeyBytes}"
            : null;
    }
}
