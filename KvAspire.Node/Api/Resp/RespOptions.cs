using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// <c>Resp:</c> limits of the Redis-protocol endpoint. Defaults follow Redis where Redis has one
/// (64 KiB inline requests, 1M multibulk items, no idle timeout); the bulk limit is the query buffer
/// (see <see cref="ReadLimits"/>), not Redis' 512 MB.
/// </summary>
public sealed class RespOptions
{
    public const string Section = "Resp";

    /// <summary>Most items one command may carry (<c>*N</c>).</summary>
    public int MaxMultibulkLength { get; set; } = 1024 * 1024;

    /// <summary>Longest inline command line (Redis' PROTO_INLINE_MAX_SIZE), and longest <c>*N</c>/<c>$N</c> header.</summary>
    public int MaxInlineBytes { get; set; } = 64 * 1024;

    /// <summary>Most unparsed bytes one client may have buffered (Redis' client-query-buffer-limit).</summary>
    public int MaxQueryBufferBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most simultaneous RESP clients on one node (Redis' maxclients).</summary>
    public int MaxClients { get; set; } = 10_000;

    /// <summary>A client silent this long is disconnected; zero keeps idle clients forever (Redis' <c>timeout 0</c>).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// With <c>Auth:Password</c> set, a client that has not authenticated this long after connecting is
    /// disconnected, so slow or silent strangers cannot hold connections; zero: never.
    /// </summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client whose replies have waited this long for it to read them is disconnected; the replies
    /// themselves wait in a bounded buffer, so this bounds how long a never-reading client holds it. Zero: never.
    /// </summary>
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PEM certificate (chain) for TLS on the RESP port; unset: plain TCP. Needs <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/>.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// What the reader accepts. The longest bulk string (Redis' proto-max-bulk-len) is the query buffer,
    /// since no longer one could ever arrive whole. Keys and values have their own, smaller limits,
    /// checked once the argument is read: a value just over <c>Limits:MaxValueBytes</c> is refused with
    /// an error naming that limit, and the connection stays open.
    /// </summary>
    public RespReadLimits ReadLimits => new(MaxMultibulkLength, MaxQueryBufferBytes, MaxInlineBytes);

    /// <summary>Checks every setting and throws naming the first bad one and its allowed range.</summary>
    public void Validate(LimitsOptions limits)
    {
        if (MaxMultibulkLength is < 3 or > int.MaxValue / 2)
            throw new OptionsValidationError("Resp:MaxMultibulkLength", "must be between 3 and 1073741823");
        if (MaxInlineBytes is < 1024 or > 16 * 1024 * 1024)
            throw new OptionsValidationError("Resp:MaxInlineBytes", "must be between 1024 and 16777216");
        // A SET of the largest key and value, with its headers, must fit in one client's buffer.
        var largestSet = (long)limits.MaxValueBytes + limits.MaxKeyBytes + 1024;
        if (MaxQueryBufferBytes < largestSet || MaxQueryBufferBytes > 1024 * 1024 * 1024)
            throw new OptionsValidationError("Resp:MaxQueryBufferBytes",
                $"must be between {largestSet} (Limits:MaxValueBytes + Limits:MaxKeyBytes + 1024) and 1073741824");
        if (MaxClients is < 1 or > 1_000_000)
            throw new OptionsValidationError("Resp:MaxClients", "must be between 1 and 1000000");
        if (IdleTimeout < TimeSpan.Zero || IdleTimeout > TimeSpan.FromDays(365))
            throw new OptionsValidationError("Resp:IdleTimeout", "must be zero (never) or a positive time up to 365 days");
        if (AuthTimeout < TimeSpan.Zero || AuthTimeout > TimeSpan.FromHours(1))
            throw new OptionsValidationError("Resp:AuthTimeout", "must be zero (never) or a positive time up to 1 hour");
        if (SlowClientTimeout < TimeSpan.Zero || SlowClientTimeout > TimeSpan.FromHours(1))
            throw new OptionsValidationError("Resp:SlowClientTimeout", "must be zero (never) or a positive time up to 1 hour");
        if (string.IsNullOrEmpty(TlsCertificateFile) != string.IsNullOrEmpty(TlsKeyFile))
            throw new OptionsValidationError("Resp:TlsCertificateFile", "and Resp:TlsKeyFile must be set together (PEM files) or both left unset");
        foreach (var (setting, file) in new[] { ("Resp:TlsCertificateFile", TlsCertificateFile), ("Resp:TlsKeyFile", TlsKeyFile) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
                throw new OptionsValidationError(setting, $"names '{file}', which does not exist");
        }
    }
}
