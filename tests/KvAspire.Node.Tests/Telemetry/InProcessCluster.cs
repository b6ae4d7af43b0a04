using System.Diagnostics;
using KvAspire.Node.Api;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Configuration;

namespace KvAspire.Node.Tests.Telemetry;

/// <summary>
/// Real host loops (fast timings, real disk) wired by an in-process transport that can cut a node
/// off or hold back replication. Everything the node does except gRPC and HTTP.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kv-inproc-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, RaftHost> _hosts = [];
    private readonly HashSet<string> _blocked = [];
    /// <summary>Replicate messages that carry entries, held back while <see cref="HoldEntries"/> is in force; null: none held.</summary>
    private List<Message>? _heldEntries;

    public InProcessCluster(params string[] names)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(names.Select(n => KeyValuePair.Create($"services:{n}:peer:0", (string?)$"http://{n}")))
            .Build();
        foreach (var name in names)
        {
            var node = TestHost.Create(name, Path.Combine(_root, name), configuration, new Transport(this));
            _hosts[name] = node.Host;
            Commands[name] = node.Commands;
            Stores[name] = node.Store;
            Expiry[name] = node.Expiry;
        }
    }

    public Dictionary<string, KvCommands> Commands { get; } = [];
    public Dictionary<string, KvAspire.Node.StateMachine.KvStore> Stores { get; } = [];

    /// <summary>Each node's expiry, not started: tests run its sweep when they choose.</summary>
    public Dictionary<string, ExpiredKeys> Expiry { get; } = [];

    public ClusterStatus Status(string node) => _hosts[node].Status;

    /// <summary>When the last two Replicates (entries or heartbeats) from the primary <paramref name="from"/> were handed to
    /// <paramref name="to"/>'s host (what a secondary last heard of its primary): each just before and just after the
    /// hand-over, since on a loaded machine the sending thread can be descheduled between taking the time and handing it
    /// over. <c>Previous</c> is the last one's until a second was handed over.</summary>
    public (HandOver Last, HandOver Previous) LastReplicates(string from, string to)
    {
        lock (_lastReplicates)
            return _lastReplicates[(from, to)];
    }

    public readonly record struct HandOver(DateTimeOffset Before, DateTimeOffset After);

    private readonly Dictionary<(string From, string To), (HandOver Last, HandOver Previous)> _lastReplicates = [];

    /// <summary>Messages sent with a trace beside them (sampled work only).</summary>
    public int TracedMessages => Volatile.Read(ref _tracedMessages);
    private int _tracedMessages;

    public RaftHost Host(string node) => _hosts[node];

    public async Task StartAsync()
    {
        foreach (var host in _hosts.Values)
            await host.StartAsync(CancellationToken.None);
    }

    /// <summary>Drops every message to or from <paramref name="node"/> until <see cref="Unblock"/>.</summary>
    public void Block(string node)
    {
        lock (_blocked)
            _blocked.Add(node);
    }

    public void Unblock(string node)
    {
        lock (_blocked)
            _blocked.Remove(node);
    }

    /// <summary>Holds back the entries of every message that ships some (the rest of it goes, as a heartbeat) until
    /// <see cref="ReleaseEntries"/>: the primary stays recognised, and its new entries stay uncommitted.</summary>
    public void HoldEntries()
    {
        lock (_blocked)
            _heldEntries ??= [];
    }

    /// <summary>Delivers the held messages in the order they were sent, and stops holding.</summary>
    public void ReleaseEntries()
    {
        List<Message> held;
        lock (_blocked)
        {
            held = _heldEntries ?? [];
            _heldEntries = null;
        }
        foreach (var message in held)
            _hosts[message.To].Deliver(message);
    }

    public async Task<ClusterStatus> WaitForPrimaryAsync() =>
        await WaitAsync("a primary that serves reads", () =>
            _hosts.Values.Select(h => h.Status).FirstOrDefault(s => s.Role == Role.Primary && s.ServesReads));

    /// <summary>A primary every node follows in its term: unlike <see cref="WaitForPrimaryAsync"/>, never a deposed primary
    /// that has not heard of the newer term yet (a slow machine's startup can elect twice).</summary>
    public async Task<ClusterStatus> WaitForAgreedPrimaryAsync() =>
        await WaitAsync("a primary every node follows", () =>
        {
            var statuses = _hosts.Values.Select(h => h.Status).ToList();
            var primary = statuses.FirstOrDefault(s => s.Role == Role.Primary && s.ServesReads);
            return primary is not null && statuses.All(s => s.Term == primary.Term && s.Primary == primary.Node) ? primary : null;
        });

    /// <summary>Sets <paramref name="key"/> on whichever primary every node follows, again on the next one if that primary
    /// was deposed first: on a loaded machine the fast timings can elect again at any moment, and a write refused as
    /// NotPrimary leaves nothing behind.</summary>
    public async Task<WriteOutcome.Written> WriteAsync(string key, byte[] value)
    {
        var clock = Stopwatch.StartNew();
        WriteOutcome? last = null;
        while (clock.Elapsed < Patience)
        {
            var primary = await WaitForAgreedPrimaryAsync();
            last = await Commands[primary.Node].SetAsync(key, value, null, null, CancellationToken.None);
            if (last is WriteOutcome.Written written)
                return written;
        }
        throw new TimeoutException($"Timed out after {Patience.TotalSeconds} s writing {key}; the last answer: {last}");
    }

    public static async Task<T> WaitAsync<T>(string what, Func<T?> probe) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (probe() is { } result)
                return result;
            await Task.Delay(20);
        }
        throw new TimeoutException($"Timed out after {Patience.TotalSeconds} s waiting for {what}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private sealed class Transport(InProcessCluster cluster) : IPeerTransport
    {
        public void Send(Message message, ActivityContext trace)
        {
            lock (cluster._blocked)
            {
                if (cluster._blocked.Contains(message.From) || cluster._blocked.Contains(message.To))
                    return;
                if (cluster._heldEntries is { } held && message is Replicate { IsHeartbeat: false } replicate)
                {
                    held.Add(message);
                    // What gets through is the message without its entries: a heartbeat, which keeps the primary
                    // recognised (and answers its reads' confirmation rounds) while the entries wait.
                    message = replicate with { Entries = [] };
                }
            }
            if (trace != default)
                Interlocked.Increment(ref cluster._tracedMessages);
            var before = DateTimeOffset.UtcNow;
            cluster._hosts[message.To].Deliver(message, trace);
            if (message is Replicate)
            {
                var handOver = new HandOver(before, DateTimeOffset.UtcNow);
                lock (cluster._lastReplicates)
                {
                    // Sends from one primary to one peer may run on several threads: keep the latest two hand-overs.
                    var pair = (message.From, message.To);
                    if (!cluster._lastReplicates.TryGetValue(pair, out var known))
                        cluster._lastReplicates[pair] = (handOver, handOver);
                    else if (known.Last.Before <= before)
                        cluster._lastReplicates[pair] = (handOver, known.Last);
                    else if (known.Previous.Before <= before)
                        cluster._lastReplicates[pair] = (known.Last, handOver);
                }
            }
        }

        // These clusters never write enough to compact their logs, so no peer ever needs a snapshot.
        public Task<bool> SendSnapshotAsync(InstallSnapshot message, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
