using System.Text.Json;

namespace KvAspire.Contracts;

/// <summary>
/// The gateway's <c>GET /cluster</c>: the node it routes commands to (null while no primary is known), that primary's
/// term (else the highest term seen), and one entry per node, from its last poll: the node's own
/// <see cref="ClusterStatus"/> plus <c>endpoints</c> (the addresses the gateway reaches it at: <c>http</c>, and
/// <c>resp</c> as a <c>redis://</c> URL), or <c>{node, error: "unreachable", endpoints}</c> for a node it cannot reach.
/// The entries stay JSON so that the gateway passes on what a newer node reports without knowing it.
/// </summary>
public sealed record GatewayStatus(string? Primary, long Term, IReadOnlyList<JsonElement> Nodes)
{
    /// <summary>The reports of the nodes the gateway reached, in its order.</summary>
    public IReadOnlyList<ClusterStatus> Reports() =>
    [
        .. Nodes.Where(node => !node.TryGetProperty("error", out _))
            .Select(node => node.Deserialize<ClusterStatus>(JsonSerializerOptions.Web)
                            ?? throw new JsonException("a node's entry in the gateway's /cluster is null")),
    ];
}
