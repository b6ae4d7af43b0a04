using System.Diagnostics;
using System.Diagnostics.Metrics;
using KvAspire.Node.Cluster;
using static KvAspire.Node.Telemetry.KvTelemetry;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// The node's instruments on one <c>KvAspire.Node</c> meter (from IMeterFactory, so several nodes in
/// one test process keep separate meters). Gauges read the status the host loop publishes.
/// </summary>
public sealed class NodeMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _elections;
    private readonly Histogram<double> _failoverDuration;
    private readonly Counter<long> _peerMessagesRejected;
    private readonly Counter<long> _inputsRefused;
    private readonly Counter<long> _snapshotFailures;
    private double _lastFailoverSeconds = double.NaN;

    public NodeMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _commands = _meter.CreateCounter<long>(Instruments.Commands, "{command}", "Client commands by command and result");
        _commandDuration = _meter.CreateHistogram(Instruments.CommandDuration, "s", "Client command latency by command and result",
            advice: Buckets(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10));
        _elections = _meter.CreateCounter<long>(Instruments.Elections, "{election}", "Elections this node ran, by outcome (won, lost, split)");
        _failoverDuration = _meter.CreateHistogram(Instruments.FailoverDuration, "s",
            "On a new primary: from the last message of the old primary to this node's first heartbeat as primary",
            // Fine enough around both timing profiles (Fast: 0.3-0.6 s elections; Default: 5-8 s) that a quantile
            // read off the buckets is within a quarter second of the durations recorded.
            advice: Buckets(0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.25, 5.5, 5.75,
                6, 6.25, 6.5, 6.75, 7, 7.25, 7.5, 7.75, 8, 8.5, 9, 10, 12, 15, 20, 30, 60));
        _peerMessagesRejected = _meter.CreateCounter<long>(Instruments.PeerMessagesRejected, "{message}",
            "Peer messages dropped because a field was out of range or contradicted this node's log, by reason "
            + "(malformed_trace: kept, without the trace they carried)");
        _inputsRefused = _meter.CreateCounter<long>(Instruments.InputsRefused, "{input}",
            "Client requests and peer messages refused because the host loop's queue was full, by kind");
        _snapshotFailures = _meter.CreateCounter<long>(Instruments.SnapshotFailures, "{failure}",
            "Snapshots of the store that failed to save (retried; the node stops after several in a row)");
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

    public void FailoverCompleted(TimeSpan duration)
    {
        _failoverDuration.Record(duration.TotalSeconds);
        Volatile.Write(ref _lastFailoverSeconds, duration.TotalSeconds);
    }


    public void PeerMessageRejected(string reason) => _peerMessagesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SnapshotFailed() => _snapshotFailures.Add(1);

    public void InputRefused(string kind) => _inputsRefused.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Registers the gauges, read from <paramref name="status"/> whenever an exporter collects.</summary>
    public void Observe(Func<ClusterStatus> status)
    {
        _meter.CreateObservableGauge(Instruments.Term, () => status().Term, "{term}", "Current term");
        _meter.CreateObservableGauge(Instruments.Role, () => (int)status().Role, null,
            "Role: 0 Secondary, 1 PreCandidate, 2 Candidate, 3 Primary");
        _meter.CreateObservableGauge(Instruments.Keys, () => status().Keys, "{key}", "Keys in the store");
        _meter.CreateObservableGauge(Instruments.LogEntries, () => status().LastLogIndex, "{entry}", "Entries in the replication log");
        _meter.CreateObservableGauge(Instruments.LogBytes, () => status().LogBytes, "By", "Bytes of the replication log on disk");
        // One unit per instrument (OpenTelemetry's rule): a graph of either one means one thing.
        _meter.CreateObservableGauge(Instruments.ReplicationLag, () => ReplicationLag(status(), p => p.LagSeconds ?? 0), "s",
            "Per secondary, on the primary: the age of the oldest entry it lacks; 0 when caught up");
        _meter.CreateObservableGauge(Instruments.ReplicationLagEntries, () => ReplicationLag(status(), p => p.Lag!.Value), "{entry}",
            "Per secondary, on the primary: how many entries it lacks");
        _meter.CreateObservableGauge(Instruments.PeerInContact, () => status().Peers.Select(peer =>
                new Measurement<int>(peer.InContact ? 1 : 0, new KeyValuePair<string, object?>("peer", peer.Node))), null,
            "Per peer: 1 when heard from within an election timeout, else 0");
        _meter.CreateObservableGauge(Instruments.LastFailoverDuration, LastFailover, "s",
            "On this node, once it has won an election: how long its last failover took (from the last message of the old primary to its election)");
    }

    private IEnumerable<Measurement<double>> LastFailover()
    {
        var seconds = Volatile.Read(ref _lastFailoverSeconds);
        if (!double.IsNaN(seconds))
            yield return new Measurement<double>(seconds);
    }

    private static IEnumerable<Measurement<double>> ReplicationLag(ClusterStatus status, Func<PeerStatus, double> value)
    {
        foreach (var peer in status.Peers)
        {
            if (peer.Lag is not null)
                yield return new Measurement<double>(value(peer), new KeyValuePair<string, object?>("peer", peer.Node));
        }
    }
}
