using KvAspire.Gateway;
using KvAspire.Node;
using KvAspire.Node.Cluster;
using KvAspire.Node.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// Feeds each pod's environment, exactly as the manifest declares it, to the real node and gateway
/// configuration code: the values must be accepted (the node validates at start), every node must
/// see the others as peers and not itself, and the gateway must see every node.
/// </summary>
public sealed class ConfigurationBindingTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kv-deploy-tests-").FullName;

    public static TheoryData<string> Kustomizations() => [Kustomize.Base, Kustomize.FiveNodes, Kustomize.Dashboard];

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Every_node_pod_starts_with_its_manifest_configuration_and_sees_the_others_as_peers(string kustomization)
    {
        var manifest = Kustomize.Load(kustomization);
        var kv = manifest.Get("StatefulSet", "kv");
        var container = kv.Items("spec", "template", "spec", "containers").Single();
        var declared = PodEnvironment.Declared(manifest, container, []);
        var members = Enumerable.Range(0, kv.Int("spec", "replicas")!.Value).Select(i => $"kv-{i}").ToList();

        foreach (var pod in members)
        {
            var configuration = PodEnvironment.AsConfiguration(PodEnvironment.ForPod(declared, pod));
            configuration["Storage:DataDirectory"] = Path.Combine(_dataRoot, pod); // /data is the PVC in the pod

            var builder = WebApplication.CreateSlimBuilder();
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.AddKvNode(); // binds and validates Cluster:, Replication:, Limits:, Storage: and the ports
            using var app = builder.Build();

            Assert.Equal(pod, app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.NodeId);
            var peers = app.Services.GetRequiredService<PeerDirectory>();
            Assert.Equal(members.Where(m => m != pod), peers.Names.Order(StringComparer.Ordinal));
            Assert.All(peers.Addresses, peer => Assert.Equal($"{peer.Key}.kv-peers", peer.Value.Host));
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_gateway_finds_every_node(string kustomization)
    {
        var manifest = Kustomize.Load(kustomization);
        var replicas = manifest.Get("StatefulSet", "kv").Int("spec", "replicas")!.Value;
        var container = manifest.Get("Deployment", "kv-gateway").Items("spec", "template", "spec", "containers").Single();
        var environment = PodEnvironment.ForPod(PodEnvironment.Declared(manifest, container, []), "kv-gateway-abc12");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(PodEnvironment.AsConfiguration(environment)).Build();

        var nodes = ClusterNodes.FromConfiguration(configuration);
        var options = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        options.Validate();

        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"kv-{i}"), nodes.Select(n => n.Name));
        Assert.All(nodes, node => Assert.Equal(new Uri($"http://{node.Name}.kv-peers:8080/"), node.Address));
        Assert.Equal("service.instance.id=kv-gateway-abc12", environment["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);
}
