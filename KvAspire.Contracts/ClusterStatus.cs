using System.Text.Json.Serialization;
using KvAspire.Node.Consensus;

namespace KvAspire.Contracts;

/// <summary>The cluster's states, as one node sees them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClusterState>))]
public enum ClusterState
{
    /// <summary>No primary has been seen yet since this node started.</summary>
    Starting,
    /// <summary>A primary is known and serving.</summary>
    Normal,
    /// <summary>No primary is known: an election is under way.</summary>
    Election,
    /// <summary>Catching up from the primary's snapshot, having fallen behind the primary's log start: from the
    /// snapshot's first byte until, with it installed, the log is applied through the primary's commit index
    /// as last reported. <see cref="ClusterStatus.Sync"/> tells the progress.</summary>
    Syncing,
}

/// <summary>A secondary as the primary sees it (nulls on a non-primary): how far it has matched the log,
/// how many entries it lacks, the age in seconds of the oldest one it lacks, and how it is being sent
/// entries (<c>replicate</c>, <c>probe</c>, or <c>snapshot</c> while a snapshot streams to it). On any node:
/// seconds since the peer was last heard from (null if never), and whether that was within an election
/// timeout.</summary>
public sealed record PeerStatus(string Node, long? MatchIndex, long? Lag, double? LagSeconds, string? Replication,
    double? SecondsSinceHeard, bool InContact);

/// <summary>A node's <c>GET /cluster</c> answer: its view of the cluster, published by its host loop after every batch;
/// immutable. <see cref="Sync"/> is the catch-up under way while <see cref="State"/> is Syncing, <see cref="LastSync"/>
/// the last one that finished since the node started. A reader refuses an answer without a role or a term, the two
/// things every reader acts on, rather than take it for a secondary at term 0.</summary>
public sealed record ClusterStatus(
    string Node,
    [property: JsonRequired, JsonConverter(typeof(JsonStringEnumConverter<Role>))] Role Role,
    ClusterState State,
    [property: JsonRequired] long Term,
    string? Primary,
    long CommitIndex,
    long AppliedIndex,
    string AppliedDigest,
    long LastLogIndex,
    long LastLogTerm,
    int ProcessId,
    bool ServesReads,
    int Keys,
    long LogBytes,
    long LogStart,
    SyncProgress? Sync,
    SyncProgress? LastSync,
    IReadOnlyList<PeerStatus> Peers)
{
    /// <summary>Whether this node votes, by the name of the consensus core's <c>Standing</c>: <c>Voter</c>, or <c>Joining</c>
    /// or <c>Blank</c> after it started with an empty data folder, until the primary promotes it; <c>Unfounded</c> while
    /// no primary has ever reached it (docs/consensus.md). A name, not the core's enum, since that enum lives among the
    /// core's peer messages, which are no part of this contract.</summary>
    public string Standing { get; init; } = "Voter";

    /// <summary>The configuration in force on this node (the newest in its log): the members that vote, this node
    /// included if it does.</summary>
    public IReadOnlyList<string> Voters { get; init; } = [];

    /// <summary>Members that receive the log but neither vote nor count towards a quorum (docs/membership.md).</summary>
    public IReadOnlyList<string> Learners { get; init; } = [];

    /// <summary>The configuration in force has not committed yet: a membership change is under way.</summary>
    public bool MembershipChanging { get; init; }
}
