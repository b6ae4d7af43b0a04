using KvAspire.Node.Consensus;

namespace KvAspire.Node.Telemetry;

/// <summary>Every log line the node writes, source-generated so disabled levels cost nothing.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Node {Node} starting at term {Term} as {Standing}; members: {Membership}")]
    public static partial void NodeStarting(ILogger logger, string node, long term, Standing standing, string membership);

    [LoggerMessage(EventId = 36, Level = LogLevel.Information,
        Message = "Membership change proposed: {Kind} {Member} at index {Index}; members now {Membership}")]
    public static partial void MembershipChangeProposed(ILogger logger, MembershipChangeKind kind, string member, long index, string membership);

    [LoggerMessage(EventId = 37, Level = LogLevel.Information,
        Message = "Node {Node} now follows the configuration {Membership} (this node: {Place})")]
    public static partial void MembershipInForce(ILogger logger, string node, string membership, string place);

    [LoggerMessage(EventId = 32, Level = LogLevel.Critical,
        Message = "Node {Node} stops: writing or forcing its data to disk failed (full or failing disk) in term {Term}, primary {Primary}; waiting clients were failed, and a restart reads back what reached the disk")]
    public static partial void DiskFailed(ILogger logger, string node, long term, string primary, Exception exception);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information,
        Message = "Node {Node} is stopping and handed over the primary role first: {Outcome}")]
    public static partial void HandedOverOnStop(ILogger logger, string node, string outcome);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning,
        Message = "Node {Node} has no saved term or vote (a new node, or its data folder was lost): it follows the primary without voting until promoted")]
    public static partial void NodeJoining(ILogger logger, string node);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information,
        Message = "Node {Node} is a voter again in term {Term}; primary {Primary}")]
    public static partial void NodePromoted(ILogger logger, string node, long term, string primary);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning,
        Message = "Node {Node}'s loop was held {HeldMs} ms by one batch, {GcMs} ms of it in garbage collection pauses ({Inputs} inputs, {Applied} entries applied); a primary held for an election timeout loses its role. Stalls of {ThresholdMs} ms or more not logged since the last: {Unlogged}")]
    public static partial void LoopStalled(ILogger logger, string node, long heldMs, long gcMs, int inputs, int applied, long thresholdMs, int unlogged);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Node {Node} is now {Role} in term {Term}; primary {Primary}")]
    public static partial void RoleChanged(ILogger logger, string node, Role role, long term, string primary);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "Stream to peer {Peer} failed; retrying in {Backoff}")]
    public static partial void PeerStreamFailed(ILogger logger, string peer, TimeSpan backoff, Exception exception);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning,
        Message = "Peer {Peer} cannot be reached ({Reason}); retrying quietly until it answers")]
    public static partial void PeerUnreachable(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "Peer {Peer} can be reached again")]
    public static partial void PeerReachable(ILogger logger, string peer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Rejected a message from {Peer} ({Reason}): {Detail}")]
    public static partial void PeerMessageRejected(ILogger logger, string peer, string reason, string detail);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Log segment {File} ends with a record cut short at offset {Offset} ({Bytes} bytes, a write interrupted by a crash and never acknowledged); truncated")]
    public static partial void TornTailTruncated(ILogger logger, string file, long offset, long bytes);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Recovered log entries {First}..{Last} from {Segments} segment(s)")]
    public static partial void LogRecovered(ILogger logger, long first, long last, int segments);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "Snapshot at entry {Index} (term {Term}) saved: {Keys} keys, {Bytes} bytes in {Milliseconds} ms; capturing it held the host loop for {CaptureMilliseconds} ms")]
    public static partial void SnapshotSaved(ILogger logger, long index, long term, int keys, long bytes, double milliseconds, double captureMilliseconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error,
        Message = "Snapshot at entry {Index} failed (attempt {Attempt} of {MaxAttempts}); the log still holds every entry")]
    public static partial void SnapshotFailed(ILogger logger, long index, int attempt, int maxAttempts, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information,
        Message = "Restored {Keys} keys from the snapshot at entry {Index} (term {Term})")]
    public static partial void SnapshotRestored(ILogger logger, int keys, long index, long term);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Node {Node} starts a {Round} for term {Term}")]
    public static partial void ElectionStarted(ILogger logger, string node, string round, long term);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "Node {Node} election for term {Term} ended: {Outcome} with {Votes} vote(s); now in term {CurrentTerm}")]
    public static partial void ElectionEnded(ILogger logger, string node, long term, string outcome, int votes, long currentTerm);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning,
        Message = "Node {Node} stepped down as primary of term {Term}; now in term {NewTerm}")]
    public static partial void SteppedDown(ILogger logger, string node, long term, long newTerm);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information,
        Message = "Node {Node} is primary of term {Term}, {Milliseconds} ms after it last heard from the previous primary")]
    public static partial void FailoverCompleted(ILogger logger, string node, long term, double milliseconds);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information,
        Message = "Snapshot at entry {Index} (term {Term}) sent to {Peer}: {Bytes} bytes in {Milliseconds} ms")]
    public static partial void SnapshotSent(ILogger logger, long index, long term, string peer, long bytes, double milliseconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Sending snapshot at entry {Index} to {Peer} failed; it is offered again")]
    public static partial void SnapshotSendFailed(ILogger logger, long index, string peer, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information,
        Message = "Syncing: snapshot at entry {Index} (term {Term}) received from {Primary}: {Bytes} bytes in {Milliseconds} ms")]
    public static partial void SnapshotReceived(ILogger logger, long index, long term, string primary, long bytes, double milliseconds);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "Syncing: receiving a snapshot from {Primary} failed")]
    public static partial void SnapshotReceiveFailed(ILogger logger, string primary, Exception exception);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information,
        Message = "Installed the primary's snapshot at entry {Index} (term {Term}): {Keys} keys; the log restarts after it")]
    public static partial void SnapshotInstalled(ILogger logger, long index, long term, int keys);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning,
        Message = "The stored log ({First}..{Last}) does not continue snapshot {Index} (term {Term}), which a primary sent; it is dropped and the log restarts after the snapshot")]
    public static partial void StaleLogDropped(ILogger logger, long first, long last, long index, long term);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning,
        Message = "Rejected a peer call from {Peer}: {Problem} ({Unlogged} more rejected since the last such line)")]
    public static partial void PeerCallRejected(ILogger logger, string peer, string problem, int unlogged);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning,
        Message = "Peer calls are checked for cluster id {ClusterId} only: with Auth:Password unset, peers are not authenticated")]
    public static partial void PeersUnauthenticated(ILogger logger, string clusterId);
}
