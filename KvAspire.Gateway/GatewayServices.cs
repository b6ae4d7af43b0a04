using System.Net.Http.Headers;
using KvAspire.Gateway.Resp;
using KvAspire.Security;
using KvAspire.Settings;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Transforms;

namespace KvAspire.Gateway;

public static class GatewayServices
{
    /// <summary>
    /// The primary tracker, the RESP endpoint when <c>Gateway:RespPort</c> is set, and the YARP routes of
    /// <see cref="ProxyRoutes"/>, whose destinations start as the seed nodes (<see cref="ClusterNodes"/>) and follow the
    /// members the tracker learns and drops.
    /// </summary>
    public static WebApplicationBuilder AddPrimaryFollowingProxy(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // YARP writes two lines at Information for every request it forwards (where to, and the answer's status), each
        // formatted and written by every logging provider: CPU spent per request (bench/RESULTS.md, issue 15). Its
        // failures, also at Information, are logged by PrimaryRouting instead.
        builder.Logging.AddFilter(ForwarderLogCategory, LogLevel.Warning);
        builder.Services.AddGatewaySettings();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<GatewayOptions>>((kestrel, options) =>
        {
            // Keys travel in the path percent-encoded (up to 3 bytes per key byte; nodes allow 8 KiB keys)
            // and values in the body (16 MiB): let them through so the node answers with its own errors.
            kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, 3 * 8 * 1024 + 1024);
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024 + 1;
            if (options.Value.RespPort is { } respPort)
            {
                RespEndpoint.Listen(kestrel, configuration, respPort);
            }
        });
        builder.Services.AddSingleton<RespForwarder>();
        builder.Services.AddSingleton<RespAuthGate>();
        builder.Services.AddSingleton(services => new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions(), services.GetRequiredService<ILogger<SocketConnectionContextFactory>>()));
        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(GatewayTelemetry.DropDuplicateRequestInstruments);
        builder.Services.AddSingleton(services => new SeedNodes(ClusterNodes.FromConfiguration(configuration, Settings(services))));
        builder.Services.AddSingleton(services => new PrimaryTracker(
            services.GetRequiredService<SeedNodes>().Nodes,
            CreatePollClient(Settings(services), services.GetRequiredService<IOptions<AuthOptions>>().Value.Password),
            services.GetRequiredService<IOptions<GatewayOptions>>(),
            services.GetRequiredService<ILogger<PrimaryTracker>>(), services.GetRequiredService<GatewayTelemetry>(),
            nodesChanged: watched => services.GetRequiredService<InMemoryConfigProvider>()
                .Update(ProxyRoutes.Routes, ProxyRoutes.Clusters(watched, Settings(services)))));
        builder.Services.AddHostedService(services => services.GetRequiredService<PrimaryTracker>());
        builder.Services.AddSingleton<ILoadBalancingPolicy, PrimaryLoadBalancingPolicy>();
        builder.Services.AddGatewayOpenApi();

        // YARP's LoadFromMemory, with the destinations built when the proxy first asks for them, from validated settings.
        builder.Services.AddSingleton(services => new InMemoryConfigProvider(
            ProxyRoutes.Routes, ProxyRoutes.Clusters(services.GetRequiredService<SeedNodes>().Nodes, Settings(services))));
        builder.Services.AddSingleton<IProxyConfigProvider>(services => services.GetRequiredService<InMemoryConfigProvider>());
        builder.Services.AddReverseProxy()
            .AddTransforms(context => context.AddResponseTransform(PrimaryRouting.CaptureRefusalAsync));
        return builder;
    }

    private const string ForwarderLogCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    private static GatewayOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<GatewayOptions>>().Value;

    /// <summary>The nodes the gateway watches from its start (<see cref="ClusterNodes"/>), found once.</summary>
    private sealed record SeedNodes(IReadOnlyList<ClusterNode> Nodes);

    // Deliberately not from IHttpClientFactory: the service defaults add the standard resilience
    // handler to those clients, whose retries and circuit breaker would hide a node coming back
    // for seconds. A poll is cheap; the next one is the retry. The nodes' /cluster needs the client
    // secret like any client request.
    private static HttpClient CreatePollClient(GatewayOptions options, string? password)
    {
        var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.PollTimeout })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each poll has its own deadline (PollInterval + PollTimeout)
        };
        if (!string.IsNullOrEmpty(password))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", password);
        }
        return client;
    }
}
