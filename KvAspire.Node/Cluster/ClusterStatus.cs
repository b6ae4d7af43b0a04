using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>The seed's cluster states, as this node sees them.</summary>
public enum ClusterState
{
    /// <summary>No primary has been seen yet since this node started.</summary>
    Starting,
    /// <summary>A primary is known and serving.</summary>
    Normal,
    /// <summary>No primary is known: an election is under way.</summary>
    Election,
}

/// <summary>A secondary as the primary sees it (nulls on a non-primary): how far it has matched the log,
/// how many entries it lacks, and the age in seconds of the oldest one it lacks.</summary>
public sealed record PeerStatus(string Node, long? MatchIndex, long? Lag, double? LagSeconds);

/// <summary>One node's view of the cluster, published by the host loop after every batch; immutable.</summary>
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
    IReadOnlyList<PeerStatus> Peers);
