using KvAspire.Node.Cluster;
using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Resp;

/// <summary>Where a node's Redis clients connect.</summary>
public sealed record RespAddress(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

/// <summary>
/// The other members' RESP addresses, from the configuration Aspire service discovery fills
/// (<c>services:{name}:resp:0</c>, e.g. <c>redis://localhost:6380</c> under the AppHost), else from
/// <see cref="RespOptions.MemberAddressTemplate"/> (members Kubernetes adds at runtime), so that ROLE, INFO and
/// -READONLY can tell a Redis client where the primary is. A node without either still
/// works; it just names the primary without an address.
/// </summary>
public sealed class RespDirectory
{
    private const string EndpointName = "resp";

    private readonly Dictionary<string, RespAddress> _addresses = new(StringComparer.Ordinal);
    private readonly string? _template;

    public RespDirectory(IConfiguration configuration, IOptions<ClusterOptions> options, IOptions<RespOptions> resp)
    {
        _template = resp.Value.MemberAddressTemplate;
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            var address = service.GetSection(EndpointName)["0"];
            if (service.Key == options.Value.NodeId || string.IsNullOrWhiteSpace(address))
                continue;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Port <= 0)
                throw BadSetting.Exception($"services:{service.Key}:{EndpointName}:0", typeof(Uri), $"is '{address}', not an absolute URI with a port");
            _addresses[service.Key] = new RespAddress(uri.Host, uri.Port);
        }
    }

    public RespAddress? Find(string? node) =>
        node is null ? null
        : _addresses.TryGetValue(node, out var address) ? address
        : _template is null ? null
        : MemberAddressTemplate.Resolve(_template, node) is { } uri ? new RespAddress(uri.Host, uri.Port) : null;

    /// <summary>"node2 at localhost:6380", or just the name when its address is unknown.</summary>
    public string Describe(string node) => Find(node) is { } address ? $"{node} at {address}" : node;
}
