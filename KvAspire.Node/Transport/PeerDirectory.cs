using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Transport;

/// <summary>
/// Where to reach other nodes' peer (gRPC) endpoints. Aspire service discovery names them as
/// <c>services:{name}:peer:0</c>, every node but this one; a member it does not name (a node added at runtime in
/// Kubernetes) is reached through <see cref="ClusterOptions.PeerAddressTemplate"/>.
/// </summary>
public sealed class PeerDirectory
{
    private const string EndpointName = "peer";
    private readonly string? _template;

    public PeerDirectory(IConfiguration configuration, IOptions<ClusterOptions> options)
    {
        var self = options.Value.NodeId;
        _template = options.Value.PeerAddressTemplate;
        var addresses = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            var address = service.GetSection(EndpointName)["0"];
            if (service.Key == self || string.IsNullOrWhiteSpace(address))
                continue;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
                throw BadSetting.Exception($"services:{service.Key}:{EndpointName}:0", typeof(Uri), $"is '{address}', not an absolute URI");
            addresses[service.Key] = uri;
        }
        Addresses = addresses;
    }

    /// <summary>The nodes service discovery names.</summary>
    public IReadOnlyDictionary<string, Uri> Addresses { get; }
    public IEnumerable<string> Names => Addresses.Keys;

    /// <summary>Whether <see cref="Resolve"/> finds an address for <paramref name="member"/>, without building it: asked for
    /// every peer message that arrives.</summary>
    public bool Knows(string member) => Addresses.ContainsKey(member) || (_template is not null && MemberRules.IsValidId(member));

    /// <summary>Where <paramref name="member"/> listens for peers, or null when nothing names it.</summary>
    public Uri? Resolve(string member)
    {
        if (Addresses.TryGetValue(member, out var address))
            return address;
        return _template is null ? null : MemberAddressTemplate.Resolve(_template, member);
    }
}
