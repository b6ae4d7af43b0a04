using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// The checker is only worth something if it fails: each case breaks one thing in a copy of the
/// rendered base and expects the problem it must report.
/// </summary>
public sealed class BrokenManifestTests(ITestOutputHelper output)
{
    private static readonly string[] NodePod = ["spec", "template", "spec"];

    public static TheoryData<string, string> Breakages() => new()
    {
        { "statefulset-selector", "StatefulSet/kv: selector {app.kubernetes.io/name=kvaspire-nodes} does not match the pod template labels" },
        { "service-selector", "Service/kv-resp: selector {app.kubernetes.io/name=kv} matches no pod template" },
        { "node-http-port", "StatefulSet/kv: container port http is 8090 but the node listens on KV_HTTP_PORT=8080" },
        { "node-http-port-setting", "StatefulSet/kv: container port http is 8080 but the node listens on KV_HTTP_PORT=9000" },
        { "service-target-port", "Service/kv-resp: port resp targets 'redis', which no container of Deployment/kv-gateway exposes" },
        { "gateway-port", "Deployment/kv-gateway: container port http is 5000 but the gateway listens on ASPNETCORE_HTTP_PORTS=8080" },
        { "readiness-path", "StatefulSet/kv: readinessProbe path is /healthz, the service answers on /health" },
        { "unknown-setting", "StatefulSet/kv: env Cluster__HeartbeatIntervall is not a configuration key the node reads" },
        { "service-name", "StatefulSet/kv: serviceName kv-headless names no Service in the manifest" },
        { "replicas-without-members", "Cluster__Members names [kv-0, kv-1, kv-2] but the StatefulSet's founding pods are [kv-0, kv-1, kv-2, kv-3, kv-4]" },
        { "member-missing", "Cluster__Members names [kv-0, kv-2] but the StatefulSet's founding pods are [kv-0, kv-1, kv-2]" },
        { "members-written-twice", "the founding members are written in ConfigMap/kv-members-" },
        { "member-in-env", "StatefulSet/kv: env Cluster__Members__0 writes a founding member a second time" },
        { "gateway-without-members", "Deployment/kv-gateway: does not load ConfigMap kv-members-" },
        { "peer-port", "StatefulSet/kv: Cluster__PeerAddressTemplate uses port 8080, the node's peer port is 8081" },
        { "resp-member-port", "StatefulSet/kv: Resp__MemberAddressTemplate uses port 6380, the node's resp port is 6379" },
        { "peer-template-without-id", "StatefulSet/kv: Cluster__PeerAddressTemplate is 'http://kv-0.kv-peers:8081'; it must contain {id}" },
        { "gateway-node-host", "Deployment/kv-gateway: Gateway__NodeAddressTemplate gives kv-0.kv-gateway for kv-0, not the pod's stable name kv-0.kv-peers" },
        { "per-replica-peers", ": services__kv-1__peer__0 is a per-replica address" },
        { "shared-key-misspelt", "StatefulSet/kv: env Gateway__NodeAdressTemplate is not a configuration key the node reads" },
        { "pdb", "PodDisruptionBudget/kv: maxUnavailable is 2; it must be 1" },
        { "pdb-min-available", "PodDisruptionBudget/kv: minAvailable 2 holds for one size only; use maxUnavailable: 1" },
        { "service-links", "StatefulSet/kv: enableServiceLinks must be false" },
        { "node-id", "StatefulSet/kv: Cluster__NodeId must come from the pod name" },
        { "image", "expected one StatefulSet running image kvaspire/node" },
        { "gateway-password", "Deployment/kv-gateway: Auth__Password comes from other-secret/password but the nodes' from kv-auth/password" },
        { "gateway-resp-port", "Deployment/kv-gateway: container port resp is 6379 but the gateway's RESP endpoint listens on Gateway__RespPort=6380" },
        { "gateway-without-resp-template", "Deployment/kv-gateway: Gateway__NodeRespTemplate is not set" },
        { "gateway-resp-scheme", "Deployment/kv-gateway: Gateway__NodeRespTemplate is 'http://{id}.kv-peers:6379', not a tcp:// address" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_manifest_fails_the_check(string breakage, string expected)
    {
        var manifest = Kustomize.Load(Kustomize.Base); // a fresh, mutable copy
        Assert.Empty(ManifestChecker.Check(manifest));

        Break(manifest, breakage);
        var problems = ManifestChecker.Check(manifest);
        foreach (var problem in problems)
            output.WriteLine(problem);

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)),
            $"expected a problem containing \"{expected}\"; got:\n  " + string.Join("\n  ", problems));
    }

    private static void Break(Manifest manifest, string breakage)
    {
        var kv = manifest.Get("StatefulSet", "kv");
        var node = Container(kv);
        var gateway = Container(manifest.Get("Deployment", "kv-gateway"));
        switch (breakage)
        {
            case "statefulset-selector":
                kv.Set(["spec", "selector", "matchLabels"], "app.kubernetes.io/name", "kvaspire-nodes");
                break;
            case "service-selector":
                manifest.Get("Service", "kv-resp").Set(["spec", "selector"], "app.kubernetes.io/name", "kv");
                break;
            case "node-http-port":
                Port(node, "http").Set([], "containerPort", "8090");
                break;
            case "node-http-port-setting":
                Env(node, "KV_HTTP_PORT").Set([], "value", "9000");
                break;
            case "service-target-port":
                manifest.Get("Service", "kv-resp").Items("spec", "ports")[0].Set([], "targetPort", "redis");
                break;
            case "gateway-port":
                Port(gateway, "http").Set([], "containerPort", "5000");
                break;
            case "readiness-path":
                node.Set(["readinessProbe", "httpGet"], "path", "/healthz");
                break;
            case "unknown-setting":
                ConfigMap(manifest, "kv-settings").Set(["data"], "Cluster__HeartbeatIntervall", "00:00:01");
                break;
            case "service-name":
                kv.Set(["spec"], "serviceName", "kv-headless");
                break;
            case "replicas-without-members":
                kv.Set(["spec"], "replicas", "5");
                break;
            case "member-missing":
                ConfigMap(manifest, "kv-members").Remove(["data"], "Cluster__Members__1");
                break;
            case "members-written-twice":
                ConfigMap(manifest, "kv-settings").Set(["data"], "Cluster__Members__3", "kv-3");
                break;
            case "member-in-env":
                ((YamlSequenceNode)node.At("env")!).Add(new YamlMappingNode { { "name", "Cluster__Members__0" }, { "value", "kv-0" } });
                break;
            case "gateway-without-members":
                var envFrom = (YamlSequenceNode)gateway.At("envFrom")!;
                envFrom.Children.Remove(envFrom.Single(e => e.Str("configMapRef", "name")!.StartsWith("kv-members-", StringComparison.Ordinal)));
                break;
            case "peer-port":
                ConfigMap(manifest, "kv-members").Set(["data"], "Cluster__PeerAddressTemplate", "http://{id}.kv-peers:8080");
                break;
            case "resp-member-port":
                ConfigMap(manifest, "kv-members").Set(["data"], "Resp__MemberAddressTemplate", "redis://{id}.kv-peers:6380");
                break;
            case "peer-template-without-id":
                ConfigMap(manifest, "kv-members").Set(["data"], "Cluster__PeerAddressTemplate", "http://kv-0.kv-peers:8081");
                break;
            case "gateway-node-host":
                ConfigMap(manifest, "kv-members").Set(["data"], "Gateway__NodeAddressTemplate", "http://{id}.kv-gateway:8080");
                break;
            case "per-replica-peers":
                ConfigMap(manifest, "kv-settings").Set(["data"], "services__kv-1__peer__0", "http://kv-1.kv-peers:8081");
                break;
            case "shared-key-misspelt":
                ConfigMap(manifest, "kv-members").Set(["data"], "Gateway__NodeAdressTemplate", "http://{id}.kv-peers:8080");
                break;
            case "pdb":
                manifest.Get("PodDisruptionBudget", "kv").Set(["spec"], "maxUnavailable", "2");
                break;
            case "pdb-min-available":
                var budget = manifest.Get("PodDisruptionBudget", "kv");
                budget.Remove(["spec"], "maxUnavailable");
                budget.Set(["spec"], "minAvailable", "2");
                break;
            case "service-links":
                kv.Remove(NodePod, "enableServiceLinks");
                break;
            case "node-id":
                var nodeId = Env(node, "Cluster__NodeId");
                nodeId.Remove([], "valueFrom");
                nodeId.Set([], "value", "kv-0");
                break;
            case "image":
                node.Set([], "image", "kvaspire/kv-node:0.1.0");
                break;
            case "gateway-password":
                Env(gateway, "Auth__Password").Set(["valueFrom", "secretKeyRef"], "name", "other-secret");
                break;
            case "gateway-resp-port":
                Env(gateway, "Gateway__RespPort").Set([], "value", "6380");
                break;
            case "gateway-without-resp-template":
                ConfigMap(manifest, "kv-members").Remove(["data"], "Gateway__NodeRespTemplate");
                break;
            case "gateway-resp-scheme":
                ConfigMap(manifest, "kv-members").Set(["data"], "Gateway__NodeRespTemplate", "http://{id}.kv-peers:6379");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null);
        }
    }

    private static YamlMappingNode Container(YamlNode workload) =>
        (YamlMappingNode)workload.Items("spec", "template", "spec", "containers")[0];

    private static YamlMappingNode Port(YamlNode container, string name) =>
        (YamlMappingNode)container.Items("ports").Single(p => p.Str("name") == name);

    private static YamlMappingNode Env(YamlNode container, string name) =>
        (YamlMappingNode)container.Items("env").Single(e => e.Str("name") == name);

    private static YamlMappingNode ConfigMap(Manifest manifest, string prefix) =>
        manifest.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith(prefix + "-", StringComparison.Ordinal));
}
