using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node;

/// <summary>
/// The node's three ports, from keys at the configuration's root that the AppHost and the Kubernetes manifests set as
/// environment variables: <c>KV_HTTP_PORT</c> (HTTP/1.1: client API, /cluster, health), <c>KV_PEER_PORT</c> (HTTP/2
/// only, since h2c without TLS has no ALPN to negotiate: gRPC between nodes) and <c>KV_RESP_PORT</c> (raw TCP speaking
/// the Redis protocol; TLS if configured).
/// </summary>
public sealed class NodePorts
{
    [ConfigurationKeyName("KV_HTTP_PORT")]
    [SettingRange("KV_HTTP_PORT", 1, 65535, Allowed = "a TCP port (1-65535)")]
    public int Http { get; set; } = 8080;

    [ConfigurationKeyName("KV_PEER_PORT")]
    [SettingRange("KV_PEER_PORT", 1, 65535, Allowed = "a TCP port (1-65535)")]
    public int Peer { get; set; } = 8081;

    [ConfigurationKeyName("KV_RESP_PORT")]
    [SettingRange("KV_RESP_PORT", 1, 65535, Allowed = "a TCP port (1-65535)")]
    public int Resp { get; set; } = 6379;
}

/// <summary>The ports' range, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class NodePortsValidator : IValidateOptions<NodePorts>;
