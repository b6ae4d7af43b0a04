using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>The cluster's states, as this node sees them.</summary>
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
    /// as last reported (see <see cref="Cluster.Syncing"/>). <see cref="ClusterStatus.Sync"/> tells the progress.</summary>
    Syncing,
}

/// <summary>A secondary as the primary sees it (nulls on a non-primary): how far it has matched the log,
/// how many entries it lacks, the age in seconds of the oldest one it lacks, and how it is being sent
/// entries (<c>replicate</c>, <c>probe</c>, or <c>snapshot</c> while a snapshot streams to it). On any node:
/// seconds since the peer was last heard from (null if never), and whether that was within an election
/// timeout (<see cref="PeerContact"/>).</summary>
public sealed record PeerStatus(string Node, long? MatchIndex, long? Lag, double? LagSeconds, string? Replication,
    double? SecondsSinceHeard, bool InContact);

/// <summary>One node's view of the cluster, published by the host loop after every batch; immutable.
/// <see cref="Sync"/> is the catch-up under way while <see cref="State"/> is Syncing, <see cref="LastSync"/>
/// the last one that finished since the node started.</summary>
public sealed record ClusterStatus(
    string Node,
    Role Role,
    ClusterState State,
    long Term,
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
    /// <summary>Whether this node votes: <c>Joining</c> or <c>Blank</c> after it started with an empty data folder,
    /// until the primary promotes it (docs/consensus.md).</summary>
    public Standing Standing { get; init; }
}
