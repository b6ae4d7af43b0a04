using System.Diagnostics;

namespace KvAspire.Node.Telemetry;

/// <summary>
/// The node's ActivitySource, Meter name and instrument names: part of the interface (DESIGN §7),
/// never renamed. Spans carry the node's name in <see cref="NodeTag"/>.
/// </summary>
public static class KvTelemetry
{
    public const string Name = "KvAspire.Node";
    public const string NodeTag = "kv.node";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Starts a client command's span under the ambient one, or returns null when the sampler dropped it. OpenTelemetry
    /// still creates a dropped span, to carry its context onwards; a command's context goes nowhere unless its write is
    /// sampled (only a recorded span rides with the replicated entry), so a dropped one is ended at once, and the tags
    /// and events a command adds cost nothing for the many writes the root span budget leaves out.
    /// </summary>
    public static Activity? StartCommand(string command)
    {
        var activity = Source.StartActivity(Spans.Command(command));
        if (activity is null or { IsAllDataRequested: true })
            return activity;
        activity.Dispose();
        return null;
    }

    /// <summary>
    /// Starts a span with exactly the given parent (none: a root span) without making it the ambient
    /// <see cref="Activity.Current"/>: the host loop keeps spans open across iterations, and they must
    /// not become the parent of whatever that thread does next.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent = default,
        IEnumerable<ActivityLink>? links = null)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, kind, parent, links: links);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    public static class Instruments
    {
        public const string Commands = "kv.commands";
        public const string CommandDuration = "kv.command.duration";
        public const string Elections = "kv.elections";
        public const string FailoverDuration = "kv.failover.duration";
        /// <summary>Seconds (the age of the oldest entry a secondary lacks).</summary>
        public const string ReplicationLag = "kv.replication.lag";
        /// <summary>Entries a secondary lacks.</summary>
        public const string ReplicationLagEntries = "kv.replication.lag.entries";
        /// <summary>Seconds: the largest <see cref="ReplicationLag"/> among the secondaries, in one series without a peer.</summary>
        public const string ReplicationMaxLag = "kv.replication.max_lag";
        /// <summary>Entries: the largest <see cref="ReplicationLagEntries"/> among the secondaries, in one series without a peer.</summary>
        public const string ReplicationMaxLagEntries = "kv.replication.max_lag_entries";
        public const string LastFailoverDuration = "kv.failover.last_duration";
        public const string PeerInContact = "kv.peer.in_contact";
        public const string Term = "kv.raft.term";
        public const string Role = "kv.raft.role";
        public const string IsPrimary = "kv.raft.is_primary";
        public const string Keys = "kv.keys";
        public const string LogEntries = "kv.log.entries";
        public const string LogBytes = "kv.log.bytes";
        public const string PeerMessagesRejected = "kv.peer.messages.rejected";
        public const string InputsRefused = "kv.host.inputs.refused";
        public const string SnapshotFailures = "kv.snapshot.failures";
        /// <summary>Seconds a host loop batch held the loop, for batches held a quarter of an election timeout or more.</summary>
        public const string LoopStalls = "kv.host.stall.duration";
    }

    public static class Spans
    {
        public const string Election = "election";
        public const string RequestVote = "request_vote";
        public const string Replicate = "replicate";
        /// <summary>On a secondary, in a sampled write's trace: a batch from arrival until the loop stepped it.</summary>
        public const string ReplicateReceive = "replicate.receive";
        /// <summary>On a secondary: writing a traced batch's entries to the log and forcing them to disk.</summary>
        public const string ReplicatePersist = "replicate.persist";
        /// <summary>On a secondary: applying a traced batch's entries once committed.</summary>
        public const string ReplicateApply = "replicate.apply";
        public static string Command(string name) => "kv " + name;
    }
}
