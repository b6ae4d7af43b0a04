using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
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
    /// Kestrel listens on three ports: <c>KV_HTTP_PORT</c> (HTTP/1.1: client API, /cluster, health),
    /// <c>KV_PEER_PORT</c> (HTTP/2 only, since h2c without TLS has no ALPN to negotiate: gRPC between nodes)
    /// and <c>KV_RESP_PORT</c> (raw TCP speaking the Redis protocol, default 6379; TLS if configured).
    /// </summary>
    public static WebApplicationBuilder AddKvNode(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddClientAuthentication();
        var cluster = BindValidated<ClusterOptions>(builder, ClusterOptions.Section, o => o.Validate());
        var replication = BindValidated<ReplicationOptions>(builder, ReplicationOptions.Section, o => o.Validate());
        var limits = BindValidated<LimitsOptions>(builder, LimitsOptions.Section, o => o.Validate());
        var storage = BindValidated<StorageOptions>(builder, StorageOptions.Section, o => o.Validate(replication));
        BindValidated<AdminOptions>(builder, AdminOptions.Section, o => o.Validate());
        var resp = BindValidated<RespOptions>(builder, RespOptions.Section, o => o.Validate(limits));

        var httpPort = Port(configuration, "KV_HTTP_PORT", 8080);
        var peerPort = Port(configuration, "KV_PEER_PORT", 8081);
        var respPort = Port(configuration, "KV_RESP_PORT", 6379);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.ListenAnyIP(peerPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenAnyIP(respPort, listen => RespListener.Configure(listen, resp));
            kestrel.Limits.MaxRequestBodySize = limits.MaxValueBytes + 1L;
            // The key travels in the path, percent-encoded: up to 3 bytes on the wire per key byte.
            kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, limits.MaxKeyBytes * 3 + 1024);
        });

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // The HTTP API's description at /openapi/v1.json, from the endpoints' own declarations (KvApi).
        builder.Services.AddOpenApi();
        builder.Services.AddGrpc(grpc =>
        {
            // A frame larger than any correct peer sends is refused before it is buffered. One RESP command becomes
            // one entry, so the largest entry is bounded by the query buffer as well as by the value limits.
            grpc.MaxReceiveMessageSize = PeerLimits.MaxMessageBytes(
                Math.Max(limits.MaxEntryBytes, resp.MaxQueryBufferBytes + 64L * 1024), cluster.ToRaftOptions());
            grpc.Interceptors.Add<PeerAuthenticationInterceptor>();
        });
        builder.Services.AddSingleton(new PeerCredentials(cluster.Id, configuration[$"{AuthOptions.Section}:Password"]));
        builder.Services.AddSingleton<PeerAuthenticationInterceptor>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<KvStore>();
        builder.Services.AddSingleton<IHardStateStore>(new FileHardStateStore(storage.DataDirectory));
        builder.Services.AddSingleton<ISnapshotStore>(new FileSnapshotStore(storage.DataDirectory));
        builder.Services.AddSingleton<ILogStore>(sp =>
        {
            var store = new SegmentedLogStore(storage.DataDirectory, storage.SegmentBytes, sp.GetRequiredService<ILogger<SegmentedLogStore>>());
            return storage.FaultInjection.IsEnabled ? new FaultInjectingLogStore(store, storage.FaultInjection) : store;
        });
        builder.Services.AddSingleton<PeerDirectory>();
        builder.Services.AddSingleton<PeerIsolation>();
        builder.Services.AddSingleton<PeerLinkCuts>();
        builder.Services.AddSingleton<PeerMessageGate>();
        builder.Services.AddSingleton<IPeerTransport, GrpcPeerTransport>();
        builder.Services.AddSingleton(services => new NodeMetrics(services.GetRequiredService<IMeterFactory>(),
            services.GetRequiredService<IOptions<ClusterOptions>>().Value.NodeId));
        builder.Services.AddSingleton<RaftHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RaftHost>());
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

    private static T BindValidated<T>(WebApplicationBuilder builder, string section, Action<T> validate) where T : class, new()
    {
        T options;
        try
        {
            options = builder.Configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            // The binder's own message names the key and the value it could not convert (an unknown enum name, say).
            throw new OptionsValidationError(section, $"has a value that cannot be read: {e.Message.TrimEnd('.')}");
        }
        validate(options);
        builder.Services.AddSingleton<IOptions<T>>(Options.Create(options));
        return options;
    }

    private static int Port(IConfiguration configuration, string key, int fallback)
    {
        var text = configuration[key];
        if (text is null)
            return fallback;
        return int.TryParse(text, out var port) && port is > 0 and < 65536
            ? port
            : throw new OptionsValidationError(key, $"is '{text}'; it must be a TCP port (1-65535)");
    }
}
