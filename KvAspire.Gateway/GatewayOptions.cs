using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Gateway;

/// <summary>Settings under <c>Gateway:</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a node holds the gateway's long poll of its <c>/cluster/changes</c> when nothing changes. A change
    /// is seen at once whatever this is; it bounds how late a hung node is noticed (with <see cref="PollTimeout"/>), at one
    /// request per node per interval.</summary>
    [SettingRange("Gateway:PollInterval", typeof(TimeSpan), "00:00:00", "00:01:00", MinimumIsExclusive = true,
        Allowed = "more than 0 and at most 00:01:00 (the longest wait a node grants)")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node that has not answered a poll this long after its <see cref="PollInterval"/> counts as unreachable.</summary>
    [SettingRange("Gateway:PollTimeout", typeof(TimeSpan), "00:00:00", "00:00:30", MinimumIsExclusive = true)]
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Request bodies up to this size are buffered so a write refused with 421 can be re-sent to the
    /// named primary; matches the node's value limit (16 MiB).
    /// </summary>
    [SettingRange("Gateway:MaxRetriedBodyBytes", 0, double.MaxValue, Allowed = "0 or more")]
    public long MaxRetriedBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Idle time after which a forwarded request to a node is abandoned (YARP's ActivityTimeout).</summary>
    public TimeSpan ForwardActivityTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The port of the gateway's Redis-protocol endpoint, which forwards each connection to the primary's;
    /// unset: no such endpoint. Under the AppHost: 6378, the port below node1's.
    /// </summary>
    [SettingRange("Gateway:RespPort", 1, 65535, Allowed = "a TCP port (1-65535), or unset for no RESP endpoint")]
    public int? RespPort { get; set; }

    /// <summary>How long a new RESP connection may wait for a primary it can reach (during an election) before it is refused.</summary>
    [SettingRange("Gateway:RespPrimaryWait", typeof(TimeSpan), "00:00:00", "00:05:00", MinimumIsExclusive = true)]
    public TimeSpan RespPrimaryWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long connecting to the primary's RESP port may take before the gateway counts it as unreachable.</summary>
    [SettingRange("Gateway:RespConnectTimeout", typeof(TimeSpan), "00:00:00", "00:00:30", MinimumIsExclusive = true)]
    public TimeSpan RespConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The client API of a node that no <c>services:</c> entry names, with <c>{id}</c> standing for its name
    /// (<c>http://{id}.kv-peers:8080</c>): the founding members of <c>Cluster:Members</c> and every member added later.
    /// Unset: the gateway knows only the <c>services:</c> entries.</summary>
    public string? NodeAddressTemplate { get; set; }

    /// <summary>The RESP endpoint of such a node (<c>tcp://{id}.kv-peers:6379</c>); unset: they have none.</summary>
    public string? NodeRespTemplate { get; set; }
}

/// <summary>The ranges of <see cref="GatewayOptions"/>' fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class GatewayOptionsValidator : IValidateOptions<GatewayOptions>;

/// <summary>Templates that give every member an absolute address, the RESP one only beside the client API's; a positive
/// forwarding timeout, which has no upper bound.</summary>
internal sealed class GatewayRules : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (options.NodeAddressTemplate is { } address && !NodeTemplate.IsValidAddress(address))
            result.AddError(BadSetting.Message("Gateway:NodeAddressTemplate",
                $"is '{address}'; it must be an absolute http(s) URI containing {{id}} (http://{{id}}.kv-peers:8080)"));
        if (options.NodeRespTemplate is { } resp && !NodeTemplate.IsValidResp(resp))
            result.AddError(BadSetting.Message("Gateway:NodeRespTemplate",
                $"is '{resp}'; it must be an absolute URI with a port containing {{id}} (tcp://{{id}}.kv-peers:6379)"));
        if (options.NodeRespTemplate is not null && options.NodeAddressTemplate is null)
            result.AddError(BadSetting.Message("Gateway:NodeRespTemplate", "needs Gateway:NodeAddressTemplate: a node is known by its client API first"));
        if (options.ForwardActivityTimeout <= TimeSpan.Zero)
            result.AddError(BadSetting.Message("Gateway:ForwardActivityTimeout", $"is '{options.ForwardActivityTimeout}'; it must be positive"));
        return result.Build();
    }
}
