using System.Diagnostics;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api;

/// <summary>How a read ended.</summary>
public abstract record ReadOutcome
{
    private ReadOutcome() { }

    public sealed record Found(StoredValue Value) : ReadOutcome;
    public sealed record NotFound : ReadOutcome;
    public sealed record NotPrimary(string? Primary, long Term) : ReadOutcome;
    /// <summary>This node is primary but has not yet applied what earlier primaries committed.</summary>
    public sealed record NotReady(long Term) : ReadOutcome;
}

/// <summary>
/// The one command layer behind every front end: validated keys, writes through the log, reads
/// only on a primary that has caught up. Front ends translate outcomes into their own errors.
/// </summary>
public sealed class KvCommands(RaftHost host, KvStore store, IOptions<ReplicationOptions> replication, NodeMetrics metrics,
    TimeProvider time)
{
    private readonly ReplicationOptions _replication = replication.Value;

    public async Task<WriteOutcome> SetAsync(string key, ReadOnlyMemory<byte> value, string? contentType,
        Acknowledge? acknowledge, CancellationToken cancellationToken)
    {
        var command = KvCommand.Set(key, value, contentType, time.GetUtcNow().ToUnixTimeMilliseconds());
        return await WriteAsync("SET", command, acknowledge, cancellationToken);
    }

    public async Task<WriteOutcome> DeleteAsync(string key, Acknowledge? acknowledge, CancellationToken cancellationToken)
    {
        var command = KvCommand.Delete(key, time.GetUtcNow().ToUnixTimeMilliseconds());
        return await WriteAsync("DELETE", command, acknowledge, cancellationToken);
    }

    public async Task<ReadOutcome> GetAsync(string key, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = KvTelemetry.Source.StartActivity(KvTelemetry.Spans.Command("GET"));
        activity?.SetTag("db.key", key);
        var status = await host.WaitUntilReadableAsync(_replication.WriteTimeout, cancellationToken);
        ReadOutcome outcome = status switch
        {
            { Role: not Role.Primary } => new ReadOutcome.NotPrimary(status.Primary, status.Term),
            { ServesReads: false } => new ReadOutcome.NotReady(status.Term),
            _ => store.Get(key) is { } value ? new ReadOutcome.Found(value) : new ReadOutcome.NotFound(),
        };
        Record("GET", outcome.GetType().Name, started, activity);
        return outcome;
    }

    private async Task<WriteOutcome> WriteAsync(string name, KvCommand command, Acknowledge? acknowledge, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = KvTelemetry.Source.StartActivity(KvTelemetry.Spans.Command(name));
        activity?.SetTag("db.key", command.Key);
        var mode = acknowledge ?? _replication.Acknowledge;
        // Under Leader acknowledgement the reply comes before the entry is applied, so whether the key
        // existed is read now: exact unless another write to the same key is in flight.
        var existedBefore = mode == Acknowledge.Leader ? store.ContainsKey(command.Key) : (bool?)null;
        var outcome = await host.ProposeAsync(command.Encode(), mode, cancellationToken);
        if (outcome is WriteOutcome.Written { Existed: null } written)
            outcome = written with { Existed = existedBefore };
        if (outcome is WriteOutcome.Written acknowledged)
            activity?.AddEvent(new ActivityEvent(mode == Acknowledge.Quorum ? "commit" : "appended", tags: new ActivityTagsCollection
            {
                ["kv.index"] = acknowledged.Index,
                ["kv.term"] = acknowledged.Term,
            }));
        Record(name, outcome.GetType().Name, started, activity);
        return outcome;
    }

    private void Record(string command, string result, long started, Activity? activity)
    {
        metrics.CommandCompleted(command, result, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("kv.result", result);
    }
}
