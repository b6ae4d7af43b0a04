using System.Net;
using Microsoft.Extensions.Configuration;

namespace KvAspire.Gateway;

/// <summary>A node's name, the base address of its client API and, when configured, its Redis-protocol endpoint.</summary>
public sealed record ClusterNode(string Name, Uri Address, DnsEndPoint? Resp = null);

/// <summary>
/// The nodes behind the gateway, read from service-discovery configuration: every
/// <c>services:{name}:http:0</c> entry (Aspire's <c>WithReference</c>, or Kubernetes env vars of the
/// same shape), with its <c>services:{name}:resp:0</c> (<c>redis://host:port</c> or <c>tcp://host:port</c>) for the RESP endpoint.
/// Read once at start: the node set is fixed for the life of a cluster.
/// </summary>
public static class ClusterNodes
{
    public static IReadOnlyList<ClusterNode> FromConfiguration(IConfiguration configuration)
    {
        var nodes = configuration.GetSection("services").GetChildren()
            .Select(service => (service.Key, Address: service["http:0"], Resp: service["resp:0"]))
            .Where(service => !string.IsNullOrWhiteSpace(service.Address))
            .Select(service => new ClusterNode(service.Key, new Uri(service.Address!, UriKind.Absolute), RespEndPoint(service.Key, service.Resp)))
            .OrderBy(node => node.Name, StringComparer.Ordinal)
            .ToList();
        if (nodes.Count == 0)
        {
            throw new InvalidOperationException(
                "No nodes configured: the gateway needs at least one services:{node}:http:0 entry " +
                "(env services__node1__http__0=http://host:port).");
        }
        return nodes;
    }

    private static DnsEndPoint? RespEndPoint(string node, string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0
            ? new DnsEndPoint(uri.Host, uri.Port)
            : throw new InvalidOperationException($"services:{node}:resp:0 is '{address}', not an absolute URI with a port (tcp://host:6379).");
    }
}
