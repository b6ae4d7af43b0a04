using System.Diagnostics;
using System.Diagnostics.Metrics;
using KvAspire.Node.Cluster;
using static KvAspire.Node.Telemetry.KvTelemetry;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// The node's instruments on one <c>KvAspire.Node</c> meter (from IMeterFactory, so several nodes in
/// one test process keep separate meters). Gauges read the status the host loop publishes.
/// </summary>
/// <remarks>
/// <para>A node in its own process puts no node name on its meter: it is its own OTLP resource, which is what tells
/// nodes apart. A meter's tags travel as the attributes of its instrumentation scope, and neither end keeps them
/// per meter: OpenTelemetry's OTLP exporter writes one scope per meter name with the tags of the first meter of that
/// name in the batch, and the Aspire dashboard keeps the first scope of each name a resource sent and adds its
/// attributes to every series under it. A node name there can label a series with the wrong node (issue 23).</para>
/// <para>
/// When a series first appears matters. Exported with cumulative temporality (the OTLP default), a series'
/// points all carry the time its instrument was created as their start, and the Aspire dashboard draws a
/// series' first point from that start: a failover recorded an hour after the process started was drawn at
/// the process's start, and a first election win as a flat line from there. So the election outcomes exist
/// at zero from the first collection (the change to one is drawn when it happened), and the two failover
/// instruments are created at the first failover, whose time then starts them.</para>
/// </remarks>
public sealed class NodeMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _elections;
    /// <summary>Whether every election outcome has been added to at zero (see <see cref="SeedElectionOutcomes"/>).</summary>
    private int _outcomesSeeded;
    /// <summary>Created at the first failover (see the remarks); host loop only.</summary>
    private Histogram<double>? _failoverDuration;
    private readonly Counter<long> _peerMessagesRejected;
    private readonly Counter<long> _inputsRefused;
    private readonly Counter<long> _snapshotFailures;
    private readonly Histogram<double> _loopStalls;
    private double _lastFailoverSeconds;

    /// <param name="inProcessNode">Only where one process hosts several nodes (the tests): the node's name, a tag of the
    /// meter (<see cref="NodeTag"/>), without which the meter factory would hand every node the same meter. Null for a
    /// node in its own process (see the remarks).</param>
    public NodeMetrics(IMeterFactory meterFactory, string? inProcessNode = null)
    {
        _meter = meterFactory.Create(new MeterOptions(Name) { Tags = inProcessNode is null ? null : [new(NodeTag, inProcessNode)] });
        _commands = _meter.CreateCounter<long>(Instruments.Commands, "{command}", "Client commands by command and result");
        _commandDuration = _meter.CreateHistogram(Instruments.CommandDuration, "s", "Client command latency by command and result",
            advice: Buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10));
        _elections = _meter.CreateCounter<long>(Instruments.Elections, "{election}", "Elections this node ran, by outcome (won, lost, split)");
        _peerMessagesRejected = _meter.CreateCounter<long>(Instruments.PeerMessagesRejected, "{message}",
            "Peer messages dropped because a field was out of range or contradicted this node's log, by reason "
            + "(malformed_trace: kept, without the trace they carried)");
        _inputsRefused = _meter.CreateCounter<long>(Instruments.InputsRefused, "{input}",
            "Client requests and peer messages refused because the host loop's queue was full, by kind");
        _snapshotFailures = _meter.CreateCounter<long>(Instruments.SnapshotFailures, "{failure}",
            "Snapshots of the store that failed to save (retried; the node stops after several in a row)");
        _loopStalls = _meter.CreateHistogram(Instruments.LoopStalls, "s",
            "Host loop batches held a quarter of an election timeout or more, by cause (gc: garbage collection pauses took at least half of it; work)",
            advice: Buckets(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10));
    }

    // The SDK's default buckets (0..10000) suit milliseconds; these durations are in seconds.
    private static InstrumentAdvice<double> Buckets(params double[] boundaries) => new() { HistogramBucketBoundaries = boundaries };

    public void CommandCompleted(string command, string result, TimeSpan duration)
    {
        var tags = new TagList { { "command", command }, { "result", result } };
        _commands.Add(1, tags);
        _commandDuration.Record(duration.TotalSeconds, tags);
    }

    public void ElectionEnded(string outcome) => _elections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>
    /// Adds zero to every election outcome once, from the first collection: then an exporter is listening, whereas this
    /// object is built with the host's services, before the telemetry pipeline starts, and a zero added then is lost.
    /// (An observable counter would need no seeding, but several nodes in one test process publish one instrument name,
    /// and an exporter observes only the first node's.)
    /// </summary>
    private void SeedElectionOutcomes()
    {
        if (Interlocked.Exchange(ref _outcomesSeeded, 1) == 1)
            return;
        foreach (var outcome in ElectionOutcomes)
            _elections.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>The outcomes <c>kv.elections</c> counts, each a series from the start.</summary>
    public static readonly string[] ElectionOutcomes = ["won", "lost", "split"];

    public void FailoverCompleted(TimeSpan duration)
    {
        Volatile.Write(ref _lastFailoverSeconds, duration.TotalSeconds);
        if (_failoverDuration is null)
        {
            _failoverDuration = _meter.CreateHistogram(Instruments.FailoverDuration, "s",
                "On a new primary: from the last message of the old primary to this node's first heartbeat as primary",
                // Fine enough around both timing profiles (Fast: 0.3-0.6 s elections; Default: 5-8 s) that a quantile
                // read off the buckets is within a quarter second of the durations recorded.
                advice: Buckets(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.25, 5.5, 5.75,
                    6, 6.25, 6.5, 6.75, 7, 7.25, 7.5, 7.75, 8, 8.5, 9, 10, 12, 15, 20, 30, 60));
            _meter.CreateObservableGauge(Instruments.LastFailoverDuration, () => Volatile.Read(ref _lastFailoverSeconds), "s",
                "On this node, once it has won an election: how long its last failover took (from the last message of the old primary to its election)");
        }
        _failoverDuration.Record(duration.TotalSeconds);
    }


    public void PeerMessageRejected(string reason) => _peerMessagesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SnapshotFailed() => _snapshotFailures.Add(1);

    public void LoopStalled(TimeSpan held, string cause) => _loopStalls.Record(held.TotalSeconds, new KeyValuePair<string, object?>("cause", cause));

    public void InputRefused(string kind) => _inputsRefused.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Registers the gauges, read from <paramref name="status"/> whenever an exporter collects.</summary>
    public void Observe(Func<ClusterStatus> status)
    {
        _meter.CreateObservableGauge(Instruments.Term, () =>
        {
            SeedElectionOutcomes();
            return status().Term;
        }, "{term}", "Current term");
        _meter.CreateObservableGauge(Instruments.Role, () => (int)status().Role, null,
            "Role: 0 Secondary, 1 PreCandidate, 2 Candidate, 3 Primary");
        // Summed across nodes it counts primaries (1 in a healthy cluster), which the role number cannot.
        _meter.CreateObservableGauge(Instruments.IsPrimary, () => status().Role == Consensus.Role.Primary ? 1 : 0, null,
            "1 while this node is primary, else 0");
        _meter.CreateObservableGauge(Instruments.Keys, () => status().Keys, "{key}", "Keys in the store");
        _meter.CreateObservableGauge(Instruments.LogEntries, () => status().LastLogIndex, "{entry}", "Entries in the replication log");
        _meter.CreateObservableGauge(Instruments.LogBytes, () => status().LogBytes, "By", "Bytes of the replication log on disk");
        // One unit per instrument (OpenTelemetry's rule): a graph of either one means one thing.
        _meter.CreateObservableGauge(Instruments.ReplicationLag, () => ReplicationLag(status(), p => p.LagSeconds ?? 0), "s",
            "Per secondary, on the primary: the age of the oldest entry it lacks; 0 when caught up");
        _meter.CreateObservableGauge(Instruments.ReplicationLagEntries, () => ReplicationLag(status(), p => p.Lag!.Value), "{entry}",
            "Per secondary, on the primary: how many entries it lacks");
        // A dashboard's default graph of an instrument adds its series up (the Aspire dashboard does), and two secondaries'
        // lags added up mean nothing; the worst one, a single series, is what that graph can show honestly.
        _meter.CreateObservableGauge(Instruments.ReplicationMaxLag, () => MaxReplicationLag(status(), p => p.LagSeconds ?? 0), "s",
            "On the primary: the largest kv.replication.lag among the secondaries");
        _meter.CreateObservableGauge(Instruments.ReplicationMaxLagEntries, () => MaxReplicationLag(status(), p => p.Lag!.Value), "{entry}",
            "On the primary: the largest kv.replication.lag.entries among the secondaries");
        _meter.CreateObservableGauge(Instruments.PeerInContact, () => status().Peers.Select(peer =>
                new Measurement<int>(peer.InContact ? 1 : 0, new KeyValuePair<string, object?>("peer", peer.Node))), null,
            "Per peer: 1 when heard from within an election timeout, else 0");
    }

    private static IEnumerable<Measurement<double>> ReplicationLag(ClusterStatus status, Func<PeerStatus, double> value) =>
        Replicated(status).Select(peer => new Measurement<double>(value(peer), new KeyValuePair<string, object?>("peer", peer.Node)));

    /// <summary>No measurement off the primary, as for the per-secondary lag.</summary>
    private static IEnumerable<Measurement<double>> MaxReplicationLag(ClusterStatus status, Func<PeerStatus, double> value)
    {
        double? max = null;
        foreach (var peer in Replicated(status))
            max = Math.Max(max ?? double.MinValue, value(peer));
        return max is { } worst ? [new Measurement<double>(worst)] : [];
    }

    /// <summary>The secondaries whose lag this node knows: all of them on the primary, none elsewhere.</summary>
    private static IEnumerable<PeerStatus> Replicated(ClusterStatus status) => status.Peers.Where(peer => peer.Lag is not null);
}
