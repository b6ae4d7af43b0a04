using KvAspire.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KvAspire.Gateway.Tests;

/// <summary>The real gateway, composed as Program.cs composes it, on a free loopback port with the given settings.</summary>
internal static class TestGateway
{
    public static async Task<WebApplication> StartAsync(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddClientAuthentication();
        builder.AddPrimaryFollowingProxy();
        var gateway = builder.Build();
        gateway.UseClientAuthentication();
        gateway.MapDefaultEndpoints();
        gateway.MapClusterApi();
        gateway.MapOpenApi();
        gateway.MapReverseProxy(pipeline => pipeline.UsePrimaryRouting());
        await gateway.StartAsync();
        return gateway;
    }
}
