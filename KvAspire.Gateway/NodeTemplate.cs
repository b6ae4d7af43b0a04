using System.Net;
using KvAspire.Node.Consensus;

namespace KvAspire.Gateway;

/// <summary>
/// A node's addresses from its name: <see cref="GatewayOptions.NodeAddressTemplate"/> and
/// <see cref="GatewayOptions.NodeRespTemplate"/> with <c>{id}</c> standing for it. This is how the gateway reaches the
/// founding members in Kubernetes (<c>Cluster:Members</c>) and any member added later, which no setting names.
/// </summary>
public sealed class NodeTemplate(string address, string? resp)
{
    private const string Id = "{id}";

    /// <summary>The template the settings give, or null when <see cref="GatewayOptions.NodeAddressTemplate"/> is unset.</summary>
    public static NodeTemplate? From(GatewayOptions options) =>
        options.NodeAddressTemplate is { } address ? new NodeTemplate(address, options.NodeRespTemplate) : null;

    /// <summary>The node called <paramref name="name"/>, or null when that is not a member's name (which keeps an
    /// untrusted name from changing anything of the address but the <c>{id}</c> part).</summary>
    public ClusterNode? Resolve(string name)
    {
        if (!MemberRules.IsValidId(name))
        {
            return null;
        }
        var respUri = resp is null ? null : Fill(resp, name);
        return new ClusterNode(name, Fill(address, name), respUri is null ? null : new DnsEndPoint(respUri.Host, respUri.Port));
    }

    /// <summary>Whether <paramref name="template"/> gives an http(s) address for any member's name.</summary>
    public static bool IsValidAddress(string template) => Example(template) is { Scheme: "http" or "https" };

    /// <summary>Whether <paramref name="template"/> gives an address with a port for any member's name.</summary>
    public static bool IsValidResp(string template) => Example(template) is { Port: > 0 };

    private static Uri? Example(string template) =>
        template.Contains(Id, StringComparison.Ordinal)
        && Uri.TryCreate(template.Replace(Id, "node1", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            ? uri
            : null;

    private static Uri Fill(string template, string name) => new(template.Replace(Id, name, StringComparison.Ordinal), UriKind.Absolute);
}
