using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// The founding members and how a pod is reached (docs/kubernetes.md, "Grow and shrink"): one ConfigMap names the
/// StatefulSet's first pods once, the nodes and the gateway both load it, and its address templates reach any pod,
/// founding or added by scaling, by its stable name under the headless Service on the port the node listens on.
/// </summary>
internal sealed partial class ManifestChecker
{
    private const string PerReplicaReason = "it would have to follow every scale; the members ConfigMap's templates reach every pod";

    private void CheckFoundingMembers(YamlMappingNode node, YamlNode nodeContainer,
        (YamlMappingNode Workload, YamlNode Container)? gateway, IReadOnlyList<string> founding)
    {
        CheckNoPerReplicaAddresses();
        var holders = _manifest.OfKind("ConfigMap").Where(c => c.Map("data").Keys.Any(IsMembersKey)).ToList();
        if (holders.Count != 1)
        {
            Problem(holders.Count == 0
                ? "no ConfigMap holds the founding members (Cluster__Members__0, ...); write them once, in a ConfigMap the nodes and the gateway load"
                : $"the founding members are written in {string.Join(", ", holders.Select(Name))}; write them once, in one ConfigMap");
            return;
        }
        var holder = holders[0];
        var named = holder.Map("data").Where(e => IsMembersKey(e.Key)).Select(e => e.Value).Order(StringComparer.Ordinal).ToList();
        if (!named.SequenceEqual(founding.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            Problem($"{Name(holder)}: Cluster__Members names [{string.Join(", ", named)}] but the StatefulSet's founding pods are [{string.Join(", ", founding)}]");

        var workloads = new List<(YamlMappingNode Workload, YamlNode Container)> { (node, nodeContainer) };
        if (gateway is { } loaded)
            workloads.Add(loaded);
        foreach (var (workload, container) in workloads)
            CheckLoadsMembers(workload, container, holder.Str("metadata", "name")!);

        // The pod scaling adds first must be reachable as well as the founding ones: that is what the templates are for.
        IReadOnlyList<string> pods = [.. founding, $"{node.Str("metadata", "name")}-{founding.Count}"];
        var service = node.Str("spec", "serviceName");
        var nodeEnvironment = PodEnvironment.ForPod(PodEnvironment.Declared(_manifest, nodeContainer, []), founding[0]);
        CheckTemplate(Name(node), nodeEnvironment, "Cluster__PeerAddressTemplate", "http", NodePort(nodeContainer, "KV_PEER_PORT"), "peer", pods, service);
        // ROLE, INFO and -READONLY name the other members' RESP addresses to Redis clients.
        CheckTemplate(Name(node), nodeEnvironment, "Resp__MemberAddressTemplate", "redis", NodePort(nodeContainer, "KV_RESP_PORT"), "resp", pods, service);
        if (gateway is not { } g)
            return;
        var gatewayEnvironment = PodEnvironment.ForPod(PodEnvironment.Declared(_manifest, g.Container, []), "gateway-pod");
        CheckTemplate(Name(g.Workload), gatewayEnvironment, "Gateway__NodeAddressTemplate", "http", NodePort(nodeContainer, "KV_HTTP_PORT"), "http", pods, service);
        // The RESP endpoint (Gateway:RespPort) forwards to the nodes' RESP ports.
        if (gatewayEnvironment.ContainsKey("Gateway__RespPort"))
            CheckTemplate(Name(g.Workload), gatewayEnvironment, "Gateway__NodeRespTemplate", "tcp", NodePort(nodeContainer, "KV_RESP_PORT"), "resp", pods, service);
    }

    /// <summary>The workload loads the members ConfigMap whole, and writes no member again beside it.</summary>
    private void CheckLoadsMembers(YamlMappingNode workload, YamlNode container, string members)
    {
        if (!LoadedConfigMaps(container).Contains(members))
            Problem($"{Name(workload)}: does not load ConfigMap {members} (envFrom), which holds the founding members");
        foreach (var name in container.Items("env").Select(e => e.Str("name")).OfType<string>().Where(IsMembersKey))
            Problem($"{Name(workload)}: env {name} writes a founding member a second time; they are written once, in ConfigMap {members}");
    }

    private void CheckTemplate(string where, IReadOnlyDictionary<string, string> environment, string key, string scheme, int port, string portName,
        IReadOnlyList<string> pods, string? service)
    {
        if (!environment.TryGetValue(key, out var template) || string.IsNullOrWhiteSpace(template))
        {
            Problem($"{where}: {key} is not set; a pod the founding members do not name (one added by scaling) could not be reached");
            return;
        }
        if (!template.Contains("{id}", StringComparison.Ordinal))
        {
            Problem($"{where}: {key} is '{template}'; it must contain {{id}}, which stands for the member's name");
            return;
        }
        foreach (var pod in pods)
        {
            if (!Uri.TryCreate(template.Replace("{id}", pod, StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme != scheme)
            {
                Problem($"{where}: {key} is '{template}', not a {scheme}:// address");
                return;
            }
            var host = $"{pod}.{service}";
            if (uri.Host != host && !uri.Host.StartsWith(host + ".", StringComparison.Ordinal))
            {
                Problem($"{where}: {key} gives {uri.Host} for {pod}, not the pod's stable name {host}");
                return;
            }
            if (uri.Port != port)
            {
                Problem($"{where}: {key} uses port {uri.Port.ToString(CultureInfo.InvariantCulture)}, the node's {portName} port is {port.ToString(CultureInfo.InvariantCulture)}");
                return;
            }
        }
    }

    /// <summary>A per-replica address list (<c>services__kv-0__peer__0</c>, ...) would have to follow every scale.</summary>
    private void CheckNoPerReplicaAddresses()
    {
        foreach (var map in _manifest.OfKind("ConfigMap"))
        {
            foreach (var key in map.Map("data").Keys.Where(IsPerReplicaAddress))
                Problem($"{Name(map)}: {key} is a per-replica address; {PerReplicaReason}");
        }
    }

    private static bool IsMembersKey(string name) => MembersKey().IsMatch(name);

    private static bool IsPerReplicaAddress(string name) => PerReplicaAddress().IsMatch(name);

    [GeneratedRegex(@"^Cluster__Members__\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex MembersKey();

    [GeneratedRegex(@"^services__.+__(peer|http|resp)__\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex PerReplicaAddress();
}
