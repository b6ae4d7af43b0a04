using System.Diagnostics.Metrics;
using KvAspire.Node.Api;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests;

/// <summary>A real host loop with real disk storage in <paramref name="DataDirectory"/> and fast timings, built for in-process tests.</summary>
internal sealed record TestHost(RaftHost Host, KvStore Store, KvCommands Commands, ExpiredKeys Expiry)
{
    private static readonly IMeterFactory Meters =
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    /// <param name="peers">Configuration with the <c>services:{name}:peer:0</c> keys naming the other members.</param>
    /// <param name="maxQueuedInputs">The host loop's input budget (<see cref="ClusterOptions.MaxQueuedInputs"/>).</param>
    /// <param name="logStore">The replication log, for tests that inject faults; a real one in <paramref name="dataDirectory"/> by default.</param>
    public static TestHost Create(string node, string dataDirectory, IConfiguration peers, IPeerTransport transport,
        int maxQueuedInputs = 100_000, Func<ILogStore, ILogStore>? logStore = null)
    {
        var cluster = Options.Create(new ClusterOptions { NodeId = node, Timing = ClusterTiming.Fast, MaxQueuedInputs = maxQueuedInputs });
        var replication = Options.Create(new ReplicationOptions());
        var storage = Options.Create(new StorageOptions { DataDirectory = dataDirectory });
        var store = new KvStore();
        var metrics = new NodeMetrics(Meters, inProcessNode: node);
        var (hardStates, snapshots) = (new FileHardStateStore(dataDirectory), new FileSnapshotStore(dataDirectory));
        var log = (logStore ?? (real => real))(new SegmentedLogStore(dataDirectory, storage.Value.SegmentBytes, NullLogger.Instance));
        var recovered = NodeRecovery.Recover(hardStates, snapshots, log, store, storage.Value, NullLogger.Instance);
        var host = new RaftHost(cluster, replication, store, hardStates, log, snapshots, storage, transport, new PeerDirectory(peers, cluster),
            metrics, NullLogger<RaftHost>.Instance, TimeProvider.System, recovered);
        var expiry = new ExpiredKeys(host, store, TimeProvider.System);
        return new TestHost(host, store, new KvCommands(host, store, expiry, replication, metrics, TimeProvider.System), expiry);
    }
}

/// <summary>A transport to nowhere: for a node tested alone, or whose peers are never reached.</summary>
internal sealed class NoPeers : IPeerTransport
{
    public void Send(Message message, System.Diagnostics.ActivityContext trace)
    {
    }

    public Task<bool> SendSnapshotAsync(InstallSnapshot message, CancellationToken cancellationToken) => Task.FromResult(false);
}
