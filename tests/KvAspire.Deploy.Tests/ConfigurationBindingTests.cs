using System.Net;
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
/// know the founding members and reach any member through the template, a pod added by scaling
/// included, and the gateway must see every founding node.
/// </summary>
public sealed class ConfigurationBindingTests : IDisposable
{
    private readonly string _dataRoot = Directory.CreateTempSubdirectory("kv-deploy-tests-").FullName;

    public static TheoryData<string> Kustomizations() => [Kustomize.Base, Kustomize.FiveNodes, Kustomize.Dashboard];

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Every_node_pod_starts_with_the_founding_members_and_reaches_any_member_by_template(string kustomization)
    {
        var manifest = Kustomize.Load(kustomization);
        var kv = manifest.Get("StatefulSet", "kv");
        var container = kv.Items("spec", "template", "spec", "containers").Single();
        var declared = PodEnvironment.Declared(manifest, container, []);
        var replicas = kv.Int("spec", "replicas")!.Value;
        var founding = Enumerable.Range(0, replicas).Select(i => $"kv-{i}").ToList();
        var scaledUp = $"kv-{replicas}"; // the pod `kubectl scale` adds first

        foreach (var pod in founding.Append(scaledUp))
        {
            var configuration = PodEnvironment.AsConfiguration(PodEnvironment.ForPod(declared, pod));
            configuration["Storage:DataDirectory"] = Path.Combine(_dataRoot, pod); // /data is the PVC in the pod

            var builder = WebApplication.CreateSlimBuilder();
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.AddKvNode();
            using var app = builder.Build();
            // What the start checks first: every setting of Cluster:, Replication:, Limits:, Storage:, Resp:, Admin:, Auth: and the ports.
            app.Services.GetRequiredService<IStartupValidator>().Validate();

            var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            Assert.Equal(pod, cluster.NodeId);
            // The same founding list on every pod, the added one too: it is not among them and joins when added.
            Assert.Equal(founding, cluster.Members);
            var peers = app.Services.GetRequiredService<PeerDirectory>();
            Assert.Empty(peers.Names); // no per-replica list: the template reaches every member, kv-3 as much as kv-0
            Assert.All(founding.Append(scaledUp), member => Assert.Equal(new Uri($"http://{member}.kv-peers:8081/"), peers.Resolve(member)));
        }
    }

    /// <summary>Against the gateway's contract for issue 19 (another branch): with <c>Cluster:Members</c> set, the nodes
    /// are the founding members, reached through <c>Gateway:NodeAddressTemplate</c> and <c>Gateway:NodeRespTemplate</c>.</summary>
    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_gateway_finds_every_founding_node_through_the_templates(string kustomization)
    {
        var manifest = Kustomize.Load(kustomization);
        var replicas = manifest.Get("StatefulSet", "kv").Int("spec", "replicas")!.Value;
        var container = manifest.Get("Deployment", "kv-gateway").Items("spec", "template", "spec", "containers").Single();
        var environment = PodEnvironment.ForPod(PodEnvironment.Declared(manifest, container, []), "kv-gateway-abc12");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(PodEnvironment.AsConfiguration(environment)).Build();

        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddGatewaySettings().BuildServiceProvider();
        var nodes = ClusterNodes.FromConfiguration(configuration, services.GetRequiredService<IOptions<GatewayOptions>>().Value);

        Assert.Equal(Enumerable.Range(0, replicas).Select(i => $"kv-{i}"), nodes.Select(n => n.Name));
        Assert.All(nodes, node => Assert.Equal(new Uri($"http://{node.Name}.kv-peers:8080/"), node.Address));
        Assert.All(nodes, node => Assert.Equal(new DnsEndPoint($"{node.Name}.kv-peers", 6379), node.Resp));
        Assert.Equal("service.instance.id=kv-gateway-abc12", environment["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    public void Dispose() => Directory.Delete(_dataRoot, recursive: true);
}
