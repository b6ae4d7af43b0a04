using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using Grpc.AspNetCore.Server;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;
using KvAspire.Node.Health;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using KvAspire.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace KvAspire.Node;

/// <summary>Composition of a node: options, endpoints, the host loop and its collaborators.</summary>
public static class NodeSetup
{
    /// <summary>
    /// The settings (<see cref="NodeSettings"/>), Kestrel on the three <see cref="NodePorts"/>, the host loop and its
    /// collaborators. Whatever needs a setting reads it from <c>IOptions&lt;T&gt;</c> when it is built, so every value
    /// has passed the validators first.
    /// </summary>
    public static WebApplicationBuilder AddKvNode(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddClientAuthentication();
        builder.Services.AddNodeSettings();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<NodePorts>, IOptions<LimitsOptions>, IOptions<RespOptions>>(
            (kestrel, ports, limits, resp) =>
            {
                kestrel.ListenAnyIP(ports.Value.Http, listen => listen.Protocols = HttpProtocols.Http1);
                kestrel.ListenAnyIP(ports.Value.Peer, listen => listen.Protocols = HttpProtocols.Http2);
                kestrel.ListenAnyIP(ports.Value.Resp, listen => RespListener.Configure(listen, resp.Value));
                kestrel.Limits.MaxRequestBodySize = limits.Value.MaxValueBytes + 1L;
                // The key travels in the path, percent-encoded: up to 3 bytes on the wire per key byte.
                kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, limits.Value.MaxKeyBytes * 3 + 1024);
            });

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // The HTTP API's description at /openapi/v1.json, from the endpoints' own declarations (KvApi).
        builder.Services.AddOpenApi();
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<PeerAuthenticationInterceptor>());
        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<LimitsOptions>, IOptions<RespOptions>, IOptions<ClusterOptions>>(
            // A frame larger than any correct peer sends is refused before it is buffered. One RESP command becomes
            // one entry, so the largest entry is bounded by the query buffer as well as by the value limits.
            (grpc, limits, resp, cluster) => grpc.MaxReceiveMessageSize = PeerLimits.MaxMessageBytes(
                Math.Max(limits.Value.MaxEntryBytes, resp.Value.MaxQueryBufferBytes + 64L * 1024), cluster.Value.ToRaftOptions()));
        builder.Services.AddSingleton(services => new PeerCredentials(
            services.GetRequiredService<IOptions<ClusterOptions>>().Value.Id, configuration[ClientAuthentication.PasswordSetting]));
        builder.Services.AddSingleton<PeerAuthenticationInterceptor>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KvStore>();
        builder.Services.AddSingleton<IHardStateStore>(services => new FileHardStateStore(Storage(services).DataDirectory));
        builder.Services.AddSingleton<ISnapshotStore>(services => new FileSnapshotStore(Storage(services).DataDirectory));
        builder.Services.AddSingleton<ILogStore>(services =>
        {
            var storage = Storage(services);
            var store = new SegmentedLogStore(storage.DataDirectory, storage.SegmentBytes, services.GetRequiredService<ILogger<SegmentedLogStore>>());
            return storage.FaultInjection.IsEnabled ? new FaultInjectingLogStore(store, storage.FaultInjection) : store;
        });
        builder.Services.AddSingleton<PeerDirectory>();
        builder.Services.AddSingleton<PeerIsolation>();
        builder.Services.AddSingleton<PeerLinkCuts>();
        builder.Services.AddSingleton<PeerMessageGate>();
        builder.Services.AddSingleton<IPeerTransport, GrpcPeerTransport>();
        builder.Services.AddSingleton(services => new NodeMetrics(services.GetRequiredService<IMeterFactory>()));
        // Recovery reads the data directory once, as the host is first asked for; it logs as the host it starts.
        builder.Services.AddSingleton(services => NodeRecovery.Recover(services.GetRequiredService<IHardStateStore>(),
            services.GetRequiredService<ISnapshotStore>(), services.GetRequiredService<ILogStore>(), services.GetRequiredService<KvStore>(),
            Storage(services), services.GetRequiredService<ILogger<RaftHost>>()));
        builder.Services.AddSingleton<RaftHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RaftHost>());
        builder.Services.AddSingleton<IPeerReceiver>(sp => sp.GetRequiredService<RaftHost>());
        builder.Services.AddSingleton<NodeReadiness>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeReadiness>());
        builder.Services.AddHealthChecks().AddCheck<NodeReadiness>(NodeReadiness.Name, tags: [NodeReadiness.Tag]);
        builder.Services.AddSingleton<ExpiredKeys>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExpiredKeys>());
        builder.Services.AddSingleton<KvCommands>();
        builder.Services.AddSingleton<RespDirectory>();
        builder.Services.AddSingleton<RespClients>();
        builder.Services.AddSingleton<RespPlanner>();
        builder.Services.AddSingleton<RespPlanRunner>();
        builder.Services.AddSingleton<RespTransactions>();
        builder.Services.AddSingleton<RespCollectionScans>();
        builder.Services.AddSingleton<RespDataCommands>();
        builder.Services.AddSingleton<RespServerCommands>();
        builder.Services.AddSingleton<RespAuthentication>();
        builder.Services.AddSingleton<RespPubSub>();
        builder.Services.AddSingleton<RespPubSubCommands>();
        builder.Services.AddSingleton<RespCommands>();
        builder.Services.AddHostedService<PrimaryAnnouncer>();
        return builder;
    }

    private static StorageOptions Storage(IServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value;
}
