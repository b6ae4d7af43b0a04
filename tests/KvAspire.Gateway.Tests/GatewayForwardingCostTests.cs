using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KvAspire.Gateway.Tests;

/// <summary>What the gateway does for every request it forwards, beyond forwarding it: which connections, logs and metrics.</summary>
public sealed class GatewayForwardingCostTests : IAsyncLifetime
{
    private FakeNode node = null!;

    public async Task InitializeAsync() => node = await FakeNode.StartAsync("node1");

    public async Task DisposeAsync() => await node.DisposeAsync();

    [Fact]
    public void ForwardedRequests_AreNotLoggedOneByOne()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create("services:node1:http:0", (string?)node.Address.ToString())]);
        builder.AddServiceDefaults();
        builder.AddPrimaryFollowingProxy();
        using var gateway = builder.Build();

        var forwarder = gateway.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Yarp.ReverseProxy.Forwarder.HttpForwarder");

        Assert.False(forwarder.IsEnabled(LogLevel.Information));
        Assert.True(forwarder.IsEnabled(LogLevel.Warning));
    }
}
