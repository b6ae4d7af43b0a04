using KvAspire.Settings;
using Microsoft.Extensions.Options;

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
    [SettingRange("Resp:MaxMultibulkLength", 3, int.MaxValue / 2)]
    public int MaxMultibulkLength { get; set; } = 1024 * 1024;

    /// <summary>Longest inline command line (Redis' PROTO_INLINE_MAX_SIZE), and longest <c>*N</c>/<c>$N</c> header.</summary>
    [SettingRange("Resp:MaxInlineBytes", 1024, 16 * 1024 * 1024)]
    public int MaxInlineBytes { get; set; } = 64 * 1024;

    /// <summary>Most unparsed bytes one client may have buffered (Redis' client-query-buffer-limit).</summary>
    [SettingRange("Resp:MaxQueryBufferBytes", 1, 1024 * 1024 * 1024, Allowed = "at most 1073741824")]
    public int MaxQueryBufferBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most simultaneous RESP clients on one node (Redis' maxclients).</summary>
    [SettingRange("Resp:MaxClients", 1, 1_000_000)]
    public int MaxClients { get; set; } = 10_000;

    /// <summary>A client silent this long is disconnected; zero keeps idle clients forever (Redis' <c>timeout 0</c>).</summary>
    [SettingRange("Resp:IdleTimeout", typeof(TimeSpan), "00:00:00", "365.00:00:00", Allowed = "zero (never) or a positive time up to 365 days")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// With <c>Auth:Password</c> set, a client that has not authenticated this long after connecting is
    /// disconnected, so slow or silent strangers cannot hold connections; zero: never.
    /// </summary>
    [SettingRange("Resp:AuthTimeout", typeof(TimeSpan), "00:00:00", "01:00:00", Allowed = "zero (never) or a positive time up to 1 hour")]
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A client whose replies have waited this long for it to read them is disconnected; the replies
    /// themselves wait in a bounded buffer, so this bounds how long a never-reading client holds it. Zero: never.
    /// </summary>
    [SettingRange("Resp:SlowClientTimeout", typeof(TimeSpan), "00:00:00", "01:00:00", Allowed = "zero (never) or a positive time up to 1 hour")]
    public TimeSpan SlowClientTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The RESP address of a member that service discovery does not name (<c>services:{id}:resp:0</c>), with <c>{id}</c>
    /// standing for its name: in Kubernetes <c>redis://{id}.kv-peers:6379</c> names every pod of the StatefulSet, present or
    /// future, so ROLE, INFO and -READONLY tell Redis clients where a member added at runtime listens. Unset: such a member
    /// is named without an address.
    /// </summary>
    public string? MemberAddressTemplate { get; set; }

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
}

/// <summary>The ranges of <see cref="RespOptions"/>' fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class RespOptionsValidator : IValidateOptions<RespOptions>;

/// <summary>A query buffer that holds the largest SET <see cref="LimitsOptions"/> allows, and TLS files that exist, in pairs.</summary>
internal sealed class RespRules(IOptions<LimitsOptions> limits) : IValidateOptions<RespOptions>
{
    public ValidateOptionsResult Validate(string? name, RespOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        // A SET of the largest key and value, with its headers, must fit in one client's buffer.
        var largestSet = limits.ValueIfValid() is { } limit ? (long)limit.MaxValueBytes + limit.MaxKeyBytes + 1024 : 0;
        if (options.MaxQueryBufferBytes < largestSet)
            result.AddError(BadSetting.Message("Resp:MaxQueryBufferBytes",
                $"is '{options.MaxQueryBufferBytes}'; it must be between {largestSet} (Limits:MaxValueBytes + Limits:MaxKeyBytes + 1024) and 1073741824"));
        if (string.IsNullOrEmpty(options.TlsCertificateFile) != string.IsNullOrEmpty(options.TlsKeyFile))
            result.AddError(BadSetting.Message("Resp:TlsCertificateFile", "and Resp:TlsKeyFile must be set together (PEM files) or both left unset"));
        if (options.MemberAddressTemplate is { } template && Cluster.MemberAddressTemplate.Problem(template, needsPort: true) is { } problem)
            result.AddError(BadSetting.Message("Resp:MemberAddressTemplate", problem));
        foreach (var (setting, file) in new[] { ("Resp:TlsCertificateFile", options.TlsCertificateFile), ("Resp:TlsKeyFile", options.TlsKeyFile) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
                result.AddError(BadSetting.Message(setting, $"names '{file}', which does not exist"));
        }
        return result.Build();
    }
}
