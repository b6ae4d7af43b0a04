using KvAspire.Node.Cluster;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Transport;

/// <summary>
/// The other members and their peer (gRPC) addresses, read from the configuration that Aspire
/// service discovery fills: every <c>services:{name}:peer:0</c> except this node's own. Kubernetes
/// sets the same keys from the StatefulSet's stable names, so there is one code path.
/// </summary>
public sealed class PeerDirectory
{
    private const string EndpointName = "peer";

    public PeerDirectory(IConfiguration configuration, IOptions<ClusterOptions> options)
    {
        var self = options.Value.NodeId;
        var addresses = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            var address = service.GetSection(EndpointName)["0"];
            if (service.Key == self || string.IsNullOrWhiteSpace(address))
                continue;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
                throw new OptionsValidationError($"services:{service.Key}:{EndpointName}:0", $"is '{address}', not an absolute URI");
            addresses[service.Key] = uri;
        }
        Addresses = addresses;
    }

    public IReadOnlyDictionary<string, Uri> Addresses { get; }
    public IEnumerable<string> Names => Addresses.Keys;
}
