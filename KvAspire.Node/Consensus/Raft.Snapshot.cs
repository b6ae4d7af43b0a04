namespace KvAspire.Node.Consensus;

public sealed partial class Raft
{
    /// <summary>
    /// The host saved a snapshot of its applied state: it becomes what lagging secondaries receive, and
    /// the log forgets entries up to <paramref name="compactThrough"/> (at most the snapshot's index;
    /// keeping some entries behind it lets a briefly lagging secondary catch up from the log).
    /// </summary>
    public void SnapshotTaken(SnapshotMarker snapshot, long compactThrough)
    {
        if (snapshot.Index > _appliedIndex || compactThrough > snapshot.Index)
            throw new ArgumentException($"Snapshot {snapshot} with compaction through {compactThrough} is ahead of applied index {_appliedIndex}.");
        if (snapshot.Index <= LatestSnapshot.Index)
            return; // an older snapshot finished after a newer one was installed from the primary
        if (Log.TermAt(snapshot.Index) is { } term && term != snapshot.Term)
            throw new ArgumentException($"Snapshot {snapshot} disagrees with the log's term {term} at that index.");
        LatestSnapshot = snapshot;
        Log.Compact(Math.Max(compactThrough, Log.Start.Index));
        CompactMemberships();
    }

    /// <summary>
    /// The transport finished streaming a snapshot to <paramref name="peer"/> (or gave up). Either way the
    /// primary probes again, paused until the next heartbeat so a peer that is down is not flooded.
    /// </summary>
    public void ReportSnapshot(string peer, bool delivered)
    {
        if (ProgressOf(peer) is not { PendingSnapshot: > 0 } progress)
            return;
        progress.SnapshotFinished(delivered);
    }

    /// <summary>The entries this secondary needs are compacted away: send the newest snapshot instead.</summary>
    private void SendSnapshot(string peer, Progress progress)
    {
        Send(new InstallSnapshot(Id, peer, Term, LatestSnapshot));
        progress.BecomeSnapshot(LatestSnapshot.Index);
    }

    private void HandleInstallSnapshot(InstallSnapshot message)
    {
        HeardPrimary(leaseTick: 0);
        var snapshot = message.Snapshot;
        if (snapshot.Index <= CommitIndex)
        {
            // We already hold everything it covers (a duplicate, or we caught up from the log meanwhile).
            Send(new ReplicateResponse(Id, message.From, Term, Success: true, MatchIndex: CommitIndex));
            return;
        }
        if (Log.TermAt(snapshot.Index) == snapshot.Term)
        {
            // Our log already holds the snapshot's last entry, so by log matching everything before it:
            // commit instead of discarding entries we have (etcd's fast-forward).
            CommitTo(snapshot.Index);
        }
        else
        {
            Log.Restore(snapshot);
            RestoreMembership(message.Membership);
            LatestSnapshot = snapshot;
            CommitIndex = snapshot.Index;
            _appliedIndex = snapshot.Index;
        }
        Send(new ReplicateResponse(Id, message.From, Term, Success: true, MatchIndex: snapshot.Index));
    }
}
