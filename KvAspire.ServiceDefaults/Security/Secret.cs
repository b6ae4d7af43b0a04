using System.Security.Cryptography;
using System.Text;

namespace KvAspire.Security;

/// <summary>
/// A shared secret from configuration (<c>Auth:Password</c>, <c>Admin:Secret</c>), kept only as its
/// SHA-256. A presented value is hashed too and the hashes compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: equal-length inputs take the same time
/// whatever they share, and hashing first hides the secret's length as well.
/// </summary>
public sealed class Secret
{
    private readonly byte[]? _hash;

    private Secret(string setting, byte[]? hash)
    {
        Setting = setting;
        _hash = hash;
    }

    /// <summary>The configuration key it came from, for log lines and error messages.</summary>
    public string Setting { get; }

    /// <summary>False when the setting is empty: then only loopback callers are let in (protected mode).</summary>
    public bool IsSet => _hash is not null;

    public static Secret From(string setting, string? value) =>
        new(setting, string.IsNullOrEmpty(value) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>True when <paramref name="presented"/> (UTF-8) is the secret; always false for an unset secret.</summary>
    public bool Matches(ReadOnlySpan<byte> presented)
    {
        if (_hash is null)
            return false;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    public bool Matches(string presented) => Matches(Encoding.UTF8.GetBytes(presented));
}
