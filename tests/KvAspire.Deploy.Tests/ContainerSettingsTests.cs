namespace KvAspire.Deploy.Tests;

/// <summary>The SDK container settings (what `dotnet publish -t:PublishContainer` builds) agree with the code and the manifests.</summary>
public sealed class ContainerSettingsTests
{
    [Fact]
    public void Node_image_exposes_every_port_the_node_listens_on()
    {
        var facts = CodeFacts.Current;

        Assert.Equal(facts.NodePorts.Values.Order(), facts.NodeContainer.Ports.Order());
    }

    [Fact]
    public void Images_run_as_a_numeric_non_root_user()
    {
        var facts = CodeFacts.Current;

        foreach (var settings in new[] { facts.NodeContainer, facts.GatewayContainer })
        {
            Assert.True(int.TryParse(settings.User, out var uid) && uid > 0,
                $"{settings.Repository}: ContainerUser must be a non-zero UID (Kubernetes can only verify runAsNonRoot for a numeric user); got '{settings.User}'");
        }
    }

    [Theory]
    [InlineData(Kustomize.Base)]
    [InlineData(Kustomize.FiveNodes)]
    [InlineData(Kustomize.Dashboard)]
    public void Manifests_use_a_tag_the_projects_build(string kustomization)
    {
        var facts = CodeFacts.Current;
        var images = Kustomize.Load(kustomization).Objects
            .SelectMany(o => o.Items("spec", "template", "spec", "containers"))
            .Select(c => c.Str("image")!)
            .ToList();

        foreach (var settings in new[] { facts.NodeContainer, facts.GatewayContainer })
        {
            var image = Assert.Single(images, i => i.StartsWith(settings.Repository + ":", StringComparison.Ordinal));
            Assert.Contains(image[(settings.Repository.Length + 1)..], settings.Tags);
        }
    }
}
