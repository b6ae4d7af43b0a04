using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>The base and every overlay render and pass every semantic check.</summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Kustomizations() => [Kustomize.Base, Kustomize.FiveNodes, Kustomize.Dashboard];

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Renders_and_passes_every_check(string kustomization)
    {
        var problems = ManifestChecker.Check(Kustomize.Load(kustomization));

        Assert.True(problems.Count == 0, $"{kustomization}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [InlineData(Kustomize.Base, 3)]
    [InlineData(Kustomize.FiveNodes, 5)]
    [InlineData(Kustomize.Dashboard, 3)]
    public void Founding_members_are_written_once_and_name_the_first_pods(string kustomization, int nodes)
    {
        var manifest = Kustomize.Load(kustomization);
        var kv = manifest.Get("StatefulSet", "kv");
        var gateway = manifest.Get("Deployment", "kv-gateway");
        var members = ConfigMap(manifest, "kv-members");

        Assert.Equal(nodes, kv.Int("spec", "replicas"));
        Assert.Equal(
            Enumerable.Range(0, nodes).Select(i => ($"Cluster__Members__{i}", $"kv-{i}")),
            members.Map("data").Where(e => e.Key.StartsWith("Cluster__Members__", StringComparison.Ordinal))
                .Select(e => (e.Key, e.Value)).OrderBy(e => int.Parse(e.Key["Cluster__Members__".Length..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Single(manifest.OfKind("ConfigMap"), c => c.Map("data").Keys.Any(k => k.StartsWith("Cluster__Members__", StringComparison.Ordinal)));
        foreach (var workload in new[] { kv, gateway })
            Assert.Contains(members.Str("metadata", "name"), EnvFrom(workload));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void No_per_replica_address_list_remains_and_the_budget_holds_at_any_size(string kustomization)
    {
        var manifest = Kustomize.Load(kustomization);
        var budget = manifest.Get("PodDisruptionBudget", "kv");

        Assert.DoesNotContain(manifest.OfKind("ConfigMap"), c => c.Map("data").Keys.Any(k => k.StartsWith("services__", StringComparison.Ordinal)));
        Assert.Equal("1", budget.Str("spec", "maxUnavailable"));
        Assert.Null(budget.Str("spec", "minAvailable"));
    }

    [Fact]
    public void Base_has_the_objects_issue_7_asks_for()
    {
        var manifest = Kustomize.Load(Kustomize.Base);

        var kv = manifest.Get("StatefulSet", "kv");
        Assert.Equal("Parallel", kv.Str("spec", "podManagementPolicy"));
        Assert.Equal("kv-peers", kv.Str("spec", "serviceName"));
        Assert.Single(kv.Items("spec", "volumeClaimTemplates"));
        Assert.Equal("None", manifest.Get("Service", "kv-peers").Str("spec", "clusterIP"));
        Assert.Equal("resp", manifest.Get("Service", "kv-resp").Items("spec", "ports").Single().Str("targetPort"));
        Assert.Equal("1", manifest.Get("PodDisruptionBudget", "kv").Str("spec", "maxUnavailable"));
        Assert.Equal(2, manifest.Get("Deployment", "kv-gateway").Int("spec", "replicas"));
        Assert.NotNull(manifest.Find("Service", "kv-gateway"));
        Assert.Null(manifest.Find("Deployment", "aspire-dashboard"));
    }

    [Fact]
    public void Telemetry_is_off_in_the_base_and_goes_to_the_dashboard_in_its_overlay()
    {
        static string? Endpoint(Manifest manifest) => ConfigMap(manifest, "kv-telemetry").Str("data", "OTEL_EXPORTER_OTLP_ENDPOINT");

        Assert.Equal("", Endpoint(Kustomize.Load(Kustomize.Base)));
        var dashboard = Kustomize.Load(Kustomize.Dashboard);
        Assert.Equal("http://aspire-dashboard:18889", Endpoint(dashboard));
        Assert.NotNull(dashboard.Find("Deployment", "aspire-dashboard"));
        // The OTLP/gRPC port the endpoint names is the dashboard's OTLP/gRPC listener.
        var service = dashboard.Get("Service", "aspire-dashboard");
        Assert.Contains(service.Items("spec", "ports"), p => p.Int("port") == 18889 && p.Str("targetPort") == "otlp-grpc");
    }

    /// <summary>A generated ConfigMap by its name before the content hash.</summary>
    private static YamlMappingNode ConfigMap(Manifest manifest, string name) =>
        manifest.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith(name + "-", StringComparison.Ordinal));

    private static IEnumerable<string?> EnvFrom(YamlNode workload) =>
        workload.Items("spec", "template", "spec", "containers").Single().Items("envFrom").Select(e => e.Str("configMapRef", "name"));
}
