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
    public void Member_count_replicas_peers_and_budget_agree(string kustomization, int nodes)
    {
        var manifest = Kustomize.Load(kustomization);
        var kv = manifest.Get("StatefulSet", "kv");
        var peers = manifest.OfKind("ConfigMap").Single(c => c.Str("metadata", "name")!.StartsWith("kv-peers", StringComparison.Ordinal));

        Assert.Equal(nodes, kv.Int("spec", "replicas"));
        Assert.Equal(
            Enumerable.Range(0, nodes).Select(i => $"services__kv-{i}__peer__0"),
            peers.Map("data").Keys.Order(StringComparer.Ordinal));
        Assert.Equal(nodes - 1, manifest.Get("PodDisruptionBudget", "kv").Int("spec", "minAvailable"));
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
        Assert.Equal("2", manifest.Get("PodDisruptionBudget", "kv").Str("spec", "minAvailable"));
        Assert.Equal(2, manifest.Get("Deployment", "kv-gateway").Int("spec", "replicas"));
        Assert.NotNull(manifest.Find("Service", "kv-gateway"));
        Assert.Null(manifest.Find("Deployment", "aspire-dashboard"));
    }

    [Fact]
    public void Telemetry_is_off_in_the_base_and_goes_to_the_dashboard_in_its_overlay()
    {
        static string? Endpoint(Manifest manifest) => manifest.OfKind("ConfigMap")
            .Single(c => c.Str("metadata", "name")!.StartsWith("kv-telemetry", StringComparison.Ordinal))
            .Str("data", "OTEL_EXPORTER_OTLP_ENDPOINT");

        Assert.Equal("", Endpoint(Kustomize.Load(Kustomize.Base)));
        var dashboard = Kustomize.Load(Kustomize.Dashboard);
        Assert.Equal("http://aspire-dashboard:18889", Endpoint(dashboard));
        Assert.NotNull(dashboard.Find("Deployment", "aspire-dashboard"));
        // The OTLP/gRPC port the endpoint names is the dashboard's OTLP/gRPC listener.
        var service = dashboard.Get("Service", "aspire-dashboard");
        Assert.Contains(service.Items("spec", "ports"), p => p.Int("port") == 18889 && p.Str("targetPort") == "otlp-grpc");
    }
}
