using System.Text.Json.Serialization;

namespace KvAspire.Contracts;

/// <summary>How far a catch-up from the primary's snapshot got.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SyncPhase>))]
public enum SyncPhase
{
    /// <summary>The snapshot file is streaming in.</summary>
    Transfer,
    /// <summary>The file is whole on disk and checked; the host loop installs it next.</summary>
    Install,
    /// <summary>The snapshot is installed (or turned out not to be needed); the log after it is being applied.</summary>
    Log,
}

/// <summary>
/// A catch-up from the primary's snapshot, as /cluster reports it: the primary sending it, the snapshot and
/// how many of its bytes arrived, the phase, and the primary's commit index as last reported to this node,
/// which this node's applied index must reach for the catch-up to end.
/// </summary>
public sealed record SyncProgress(string From, long SnapshotIndex, long BytesReceived, long BytesTotal, SyncPhase Phase,
    long PrimaryCommitIndex);
