using System.Net;
using KvAspire.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Gateway.Tests;

/// <summary>The seed nodes: <c>services:</c> entries (Aspire) and the founding members at the templates' addresses (Kubernetes).</summary>
public sealed class ClusterNodesTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    /// <summary>The seed nodes the settings give, with the gateway's options bound and validated as at its start.</summary>
    private static IReadOnlyList<ClusterNode> Seeds(params (string Key, string Value)[] settings)
    {
        var configuration = Settings(settings);
        return ClusterNodes.FromConfiguration(configuration, GatewayOptionsFrom(configuration));
    }

    private static GatewayOptions GatewayOptionsFrom(IConfiguration configuration)
    {
        using var services = new ServiceCollection().AddSingleton(configuration).AddGatewaySettings().BuildServiceProvider();
        return services.GetRequiredService<IOptions<GatewayOptions>>().Value;
    }

    [Fact]
    public void FoundingMembers_WithTheTemplates_AreTheSeeds()
    {
        var nodes = Seeds(
            ("Cluster:Members:0", "kv-1"), ("Cluster:Members:1", "kv-0"),
            ("Gateway:NodeAddressTemplate", "http://{id}.kv-peers:8080"), ("Gateway:NodeRespTemplate", "tcp://{id}.kv-peers:6379"));

        Assert.Equal(
            [
                new ClusterNode("kv-0", new Uri("http://kv-0.kv-peers:8080"), new DnsEndPoint("kv-0.kv-peers", 6379)),
                new ClusterNode("kv-1", new Uri("http://kv-1.kv-peers:8080"), new DnsEndPoint("kv-1.kv-peers", 6379)),
            ],
            nodes);
    }

    [Fact]
    public void AServicesEntry_KeepsItsOwnAddresses_AndTheOtherMembersComeFromTheTemplate()
    {
        var nodes = Seeds(
            ("services:node1:http:0", "http://localhost:5001"),
            ("Cluster:Members:0", "node1"), ("Cluster:Members:1", "node2"),
            ("Gateway:NodeAddressTemplate", "http://{id}:8080"));

        Assert.Equal([new ClusterNode("node1", new Uri("http://localhost:5001")), new ClusterNode("node2", new Uri("http://node2:8080"))], nodes);
    }

    [Fact]
    public void FoundingMembers_WithoutATemplate_AddNothing()
    {
        var nodes = Seeds(("services:node1:http:0", "http://localhost:5001"), ("Cluster:Members:0", "node2"));

        Assert.Equal(["node1"], nodes.Select(node => node.Name));
    }

    [Fact]
    public void NoNodes_IsABadSetting_NamingBothWaysToConfigureThem()
    {
        var problem = BadSettingLine(() => Seeds(("Cluster:Members:0", "node1")));

        Assert.Contains("services:{node}:http:0", problem, StringComparison.Ordinal);
        Assert.Contains("Gateway:NodeAddressTemplate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AFoundingMember_ThatIsNoMembersName_IsABadSetting()
    {
        var problem = BadSettingLine(() => Seeds(("Cluster:Members:0", "node1/x"), ("Gateway:NodeAddressTemplate", "http://{id}:8080")));

        Assert.Contains("'node1/x'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("services:node2:http:0", "5002")]
    [InlineData("services:node1:resp:0", "redis://localhost")]
    public void AServicesEntry_ThatIsNoAddress_IsABadSetting_NamingIt(string key, string value)
    {
        var problem = BadSettingLine(() => Seeds(("services:node1:http:0", "http://localhost:5001"), (key, value)));

        Assert.StartsWith($"Configuration '{key}' is '{value}'", problem, StringComparison.Ordinal);
    }

    /// <summary>The one line the gateway prints before it exits with 78 (Program), rather than an exception's stack trace.</summary>
    private static string BadSettingLine(Action start)
    {
        var problem = BadSetting.Describe(Assert.ThrowsAny<Exception>(start));

        Assert.NotNull(problem);
        Assert.DoesNotContain("\n", problem);
        return problem;
    }

    [Theory]
    [InlineData("http://kv-peers:8080", null)]
    [InlineData("{id}:8080", null)]
    [InlineData("http://{id}.kv-peers:8080", "tcp://{id}.kv-peers")]
    [InlineData("http://{id}.kv-peers:8080", "tcp://kv-peers:6379")]
    [InlineData(null, "tcp://{id}.kv-peers:6379")]
    public void Templates_ThatCannotGiveAnAbsoluteAddressForEveryMember_AreRefusedAtStart(string? address, string? resp)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            [KeyValuePair.Create("Gateway:NodeAddressTemplate", address), KeyValuePair.Create("Gateway:NodeRespTemplate", resp)]).Build();

        var error = Assert.Throws<OptionsValidationException>(() => GatewayOptionsFrom(configuration));

        Assert.Contains("Gateway:Node", error.Message, StringComparison.Ordinal);
    }
}
