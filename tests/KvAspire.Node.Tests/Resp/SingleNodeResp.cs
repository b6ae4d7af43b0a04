using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using KvAspire.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Resp;

/// <summary>
/// A one-node cluster in this process (it elects itself primary within the fast election timeout)
/// with the RESP command layer on top: requests go in as wire bytes, replies come out as wire text.
/// With a <c>password</c>, its session starts unauthenticated, as a connection does.
/// </summary>
internal sealed class SingleNodeResp : IAsyncDisposable
{
    /// <summary>Generous: the election takes well under a second, but test classes start together on two
    /// cores beside CPU-bound ones (the simulator), and a 10 s limit was missed once in CI.</summary>
    private static readonly TimeSpan ElectionTimeout = TimeSpan.FromSeconds(60);
    private static readonly NodeMetrics Metrics =
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>(), "node1");

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kvaspire-resp-" + Guid.NewGuid().ToString("N"));
    private readonly RaftHost _host;
    private readonly RespReadLimits _limits;

    /// <param name="replication">Null: the defaults (Quorum acknowledgement).</param>
    public SingleNodeResp(LimitsOptions? limits = null, string? password = null, RespOptions? respOptions = null,
        ReplicationOptions? replication = null)
    {
        limits ??= new LimitsOptions();
        var configuration = new ConfigurationBuilder().Build();
        var cluster = Options.Create(new ClusterOptions { NodeId = "node1", Timing = ClusterTiming.Fast });
        var node = TestHost.Create("node1", _dataDirectory, configuration, new NoPeers());
        _host = node.Host;
        Store = node.Store;
        Expiry = node.Expiry;
        var kv = replication is null
            ? node.Commands
            : new KvCommands(node.Host, node.Store, node.Expiry, Options.Create(replication), Metrics, TimeProvider.System);
        var resp = Options.Create(respOptions ?? new RespOptions());
        var directory = new RespDirectory(configuration, cluster, resp);
        Access = new AccessControl(Secret.From("Auth:Password", password), new AuthThrottle(3, TimeSpan.FromMinutes(1), TimeProvider.System),
            NullLogger<AccessControl>.Instance);
        var plans = new RespPlanRunner(new RespPlanner(Options.Create(limits)), kv, directory);
        Commands = new RespCommands(new RespDataCommands(kv, directory, Options.Create(limits), plans),
            new RespServerCommands(_host, node.Store, directory, Clients, resp,
                Options.Create(replication ?? new ReplicationOptions())), new RespAuthentication(Access),
            plans, new RespTransactions(plans, kv), new RespCollectionScans(kv, directory), new RespPubSubCommands(PubSub));
        Handler = new RespConnectionHandler(Commands, Clients, Access, resp, NullLogger<RespConnectionHandler>.Instance);
        _limits = resp.Value.ReadLimits;
        Session = new RespSession(1, authenticated: password is null);
    }

    /// <summary>At most 3 failed AUTHs per address per minute.</summary>
    public AccessControl Access { get; }
    public RespClients Clients { get; } = new();

    /// <summary>This node's channels: what PUBLISH reaches, and where a test publishes as the node would.</summary>
    public RespPubSub PubSub { get; } = new();
    public RespCommands Commands { get; }

    /// <summary>The connection handler over this node, for in-memory connections.</summary>
    public RespConnectionHandler Handler { get; }

    public RespSession Session { get; }

    public KvAspire.Node.StateMachine.KvStore Store { get; }

    /// <summary>Not started: tests run its sweep when they choose.</summary>
    public ExpiredKeys Expiry { get; }

    public static async Task<SingleNodeResp> StartAsync(LimitsOptions? limits = null, string? password = null, RespOptions? respOptions = null,
        ReplicationOptions? replication = null)
    {
        var node = new SingleNodeResp(limits, password, respOptions, replication);
        await node._host.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(ElectionTimeout);
        while (node._host.Status is not { Role: Role.Primary, ServesReads: true })
            await node._host.StatusChanged.WaitAsync(timeout.Token);
        return node;
    }

    /// <summary>Sends one command, written as a RESP array of the given arguments; returns the reply's wire text.</summary>
    public Task<string> SendAsync(params string[] args) =>
        SendRawAsync(RespStreams.Multibulk(args.Select(Encoding.UTF8.GetBytes).ToList()));

    public async Task<string> SendRawAsync(byte[] request)
    {
        var arguments = new RespArguments();
        var output = new ArrayBufferWriter<byte>();
        var rest = request.AsMemory();
        while (!rest.IsEmpty)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(rest));
            var status = RespReader.TryRead(ref reader, arguments, _limits, out var error);
            if (status != RespReadStatus.Command)
                return error ?? "(incomplete)";
            rest = rest[(int)reader.Consumed..];
            await Commands.ExecuteAsync(Session, arguments, output, CancellationToken.None);
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
