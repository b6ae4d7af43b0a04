using System.Net;
using KvAspire.Node.Consensus;
using KvAspire.Settings;
using Microsoft.Extensions.Configuration;

namespace KvAspire.Gateway;

/// <summary>A node's name, the base address of its client API and, when configured, its Redis-protocol endpoint.</summary>
public sealed record ClusterNode(string Name, Uri Address, DnsEndPoint? Resp = null);

/// <summary>
/// The seed nodes, which the gateway watches from its start and never forgets: every <c>services:{name}:http:0</c>
/// entry (Aspire's <c>WithReference</c>, or environment variables of the same shape), with its <c>services:{name}:resp:0</c>
/// (<c>redis://host:port</c> or <c>tcp://host:port</c>) for the RESP endpoint; and, when
/// <see cref="GatewayOptions.NodeAddressTemplate"/> is set, every founding member of <c>Cluster:Members</c> that no entry
/// names, at the template's addresses (Kubernetes). Members added later are learnt from the nodes' answers
/// (<see cref="PrimaryTracker"/>). A setting they cannot be built from stops the start like any bad setting: one line
/// naming it (<see cref="BadSetting"/>), not an exception with its stack trace.
/// </summary>
public static class ClusterNodes
{
    /// <param name="options">The gateway's settings, validated: the templates give every member an absolute address.</param>
    public static IReadOnlyList<ClusterNode> FromConfiguration(IConfiguration configuration, GatewayOptions options)
    {
        var services = configuration.GetSection("services").GetChildren()
            .Select(service => (service.Key, Address: service["http:0"], Resp: service["resp:0"]))
            .Where(service => !string.IsNullOrWhiteSpace(service.Address))
            .Select(service => new ClusterNode(service.Key, HttpAddress(service.Key, service.Address!), RespEndPoint(service.Key, service.Resp)))
            .ToList();
        var nodes = services.Concat(FoundingMembers(configuration, options).Where(member => services.All(node => node.Name != member.Name)))
            .OrderBy(node => node.Name, StringComparer.Ordinal)
            .ToList();
        if (nodes.Count == 0)
        {
            throw BadSetting.Exception("services:{node}:http:0", typeof(Uri),
                "names no node: the gateway needs at least one such entry (env services__node1__http__0=http://host:port), " +
                "or Cluster:Members with Gateway:NodeAddressTemplate " +
                "(env Cluster__Members__0=kv-0 and Gateway__NodeAddressTemplate=http://{id}.kv-peers:8080)");
        }
        return nodes;
    }

    /// <summary>The founding members at the template's addresses; none without a template.</summary>
    private static IEnumerable<ClusterNode> FoundingMembers(IConfiguration configuration, GatewayOptions options)
    {
        var members = configuration.GetSection("Cluster:Members").Get<string[]>() ?? [];
        if (NodeTemplate.From(options) is not { } template)
        {
            return [];
        }
        if (members.Distinct().Count() > MemberRules.MaxMembers)
        {
            throw BadSetting.Exception("Cluster:Members", typeof(string[]), $"names more than {MemberRules.MaxMembers} members");
        }
        return members.Distinct().Select(member => template.Resolve(member) ?? throw BadSetting.Exception("Cluster:Members", typeof(string[]),
            $"names '{member}'; a member's name is 1-{MemberRules.MaxIdLength} letters, digits, '-', '_' or '.'"));
    }

    private static Uri HttpAddress(string node, string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri)
            ? uri
            : throw BadSetting.Exception($"services:{node}:http:0", typeof(Uri), $"is '{address}', not an absolute URI (http://host:port)");

    private static DnsEndPoint? RespEndPoint(string node, string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return null;
        }
        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0
            ? new DnsEndPoint(uri.Host, uri.Port)
            : throw BadSetting.Exception($"services:{node}:resp:0", typeof(Uri), $"is '{address}', not an absolute URI with a port (tcp://host:6379)");
    }
}
