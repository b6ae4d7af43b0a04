using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §7: log compaction, and InstallSnapshot for a secondary that needs what was compacted.</summary>
public class SnapshotTests
{
    /// <summary>A primary of a, b, c that committed four entries with b, snapshotted them and compacted its
    /// log through them; c has answered nothing, so it still needs the log from index 1.</summary>
    private static Raft CompactedPrimary()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        for (var i = 0; i < 3; i++)
            primary.Propose(Bytes($"w{i}"));
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 4));
        DrainAll(primary);
        Assert.Equal(4, primary.CommitIndex);
        primary.SnapshotTaken(new SnapshotMarker(4, primary.Term), compactThrough: 4);
        return primary;
    }

    [Fact]
    public void Primary_SendsItsSnapshot_ToASecondaryThatNeedsCompactedEntries()
    {
        var primary = CompactedPrimary();

        primary.Tick();
        var messages = DrainAll(primary);

        var install = Assert.Single(messages.To<InstallSnapshot>("c"));
        Assert.Equal(new SnapshotMarker(4, primary.Term), install.Snapshot);
        Assert.Equal(4, primary.ProgressOf("c")!.PendingSnapshot);
        Assert.Empty(messages.To<InstallSnapshot>("b"));
    }

    [Fact]
    public void WhileASnapshotStreams_TheSecondaryGetsOnlyHeartbeats_AnchoredAtTheLogStart()
    {
        var primary = CompactedPrimary();
        primary.Tick();
        DrainAll(primary);

        primary.Propose(Bytes("more"));
        primary.Tick();
        var messages = DrainAll(primary);

        Assert.Empty(messages.To<InstallSnapshot>("c"));
        var replicates = messages.To<Replicate>("c").ToList();
        Assert.NotEmpty(replicates);
        Assert.All(replicates, r => Assert.True(r.IsHeartbeat && r.PrevLogIndex == 4 && r.PrevLogTerm == primary.Term));
    }

    [Fact]
    public void RejectedHeartbeats_DoNotInterruptASnapshotOnItsWay()
    {
        var primary = CompactedPrimary();
        primary.Tick();
        DrainAll(primary);

        primary.Step(new ReplicateResponse("c", "a", primary.Term, Success: false, MatchIndex: 0, RejectedIndex: 4, HintIndex: 0));
        primary.Tick();

        Assert.Empty(DrainAll(primary).To<InstallSnapshot>("c"));
        Assert.Equal(4, primary.ProgressOf("c")!.PendingSnapshot);
    }

    [Fact]
    public void DeliveredSnapshot_IsFollowedByTheLogAfterIt_OnceTheSecondaryConfirms()
    {
        var primary = CompactedPrimary();
        primary.Tick();
        DrainAll(primary);
        primary.Propose(Bytes("after"));
        DrainAll(primary);

        primary.ReportSnapshot("c", delivered: true);
        primary.Tick();
        var probe = Assert.Single(DrainAll(primary).To<Replicate>("c"));
        Assert.Equal(4, probe.PrevLogIndex);
        Assert.Equal([5L], probe.Entries.Select(e => e.Index));

        primary.Step(Ack(primary, "c", 5));
        var progress = primary.ProgressOf("c")!;
        Assert.Equal(5, progress.Match);
        Assert.Equal(ProgressState.Replicate, progress.State);
        Assert.Equal(0, progress.PendingSnapshot);
    }

    [Fact]
    public void LostSnapshot_IsOfferedAgain_OnlyAtTheNextHeartbeat()
    {
        var primary = CompactedPrimary();
        primary.Tick();
        DrainAll(primary);

        primary.ReportSnapshot("c", delivered: false);
        primary.Propose(Bytes("write"));
        Assert.Empty(DrainAll(primary).To<InstallSnapshot>("c"));

        primary.Tick();
        Assert.Single(DrainAll(primary).To<InstallSnapshot>("c"));
    }

    [Fact]
    public void Secondary_RestoresASnapshotAheadOfItsLog_AndAcknowledgesItsLastEntry()
    {
        var secondary = NewRaft("b", term: 2, log: Log(1, 1));

        secondary.Step(new InstallSnapshot("a", "b", 2, new SnapshotMarker(10, 2)));
        var ready = Drain(secondary);

        Assert.Equal(new SnapshotMarker(10, 2), ready.Snapshot);
        Assert.Empty(ready.CommittedEntries);
        Assert.Empty(ready.EntriesToPersist);
        Assert.Equal(10, secondary.CommitIndex);
        Assert.Equal(new SnapshotMarker(10, 2), secondary.Log.Start);
        Assert.Equal(new SnapshotMarker(10, 2), secondary.LatestSnapshot);
        Assert.Equal("a", secondary.Primary);
        var response = Assert.Single(ready.Messages.OfType<ReplicateResponse>());
        Assert.True(response.Success);
        Assert.Equal(10, response.MatchIndex);
    }

    [Fact]
    public void Secondary_WhoseLogHoldsTheSnapshotsLastEntry_CommitsInsteadOfDiscardingItsLog()
    {
        var secondary = NewRaft("b", term: 1, log: Log(1, 1, 1));

        secondary.Step(new InstallSnapshot("a", "b", 1, new SnapshotMarker(2, 1)));
        var ready = Drain(secondary);

        Assert.Null(ready.Snapshot);
        Assert.Equal([1L, 2L], ready.CommittedEntries.Select(e => e.Index));
        Assert.Equal(3, secondary.Log.LastIndex);
        Assert.Equal(2, Assert.Single(ready.Messages.OfType<ReplicateResponse>()).MatchIndex);
    }

    [Fact]
    public void Secondary_AnswersASnapshotItAlreadyCovers_WithItsCommitIndex()
    {
        var secondary = NewRaft("b", term: 1, log: Log(1, 1, 1));
        secondary.Step(new Replicate("a", "b", 1, 3, 1, [], CommitIndex: 3));
        Drain(secondary);

        secondary.Step(new InstallSnapshot("a", "b", 1, new SnapshotMarker(2, 1)));
        var ready = Drain(secondary);

        Assert.Null(ready.Snapshot);
        Assert.Equal(3, Assert.Single(ready.Messages.OfType<ReplicateResponse>()).MatchIndex);
    }

    [Fact]
    public void SnapshotFromAnOlderTerm_IsRefused_TellingTheSenderTheNewerTerm()
    {
        var secondary = NewRaft("b", term: 5, log: Log(1));

        secondary.Step(new InstallSnapshot("a", "b", 3, new SnapshotMarker(10, 3)));
        var ready = Drain(secondary);

        Assert.Null(ready.Snapshot);
        var response = Assert.Single(ready.Messages.OfType<ReplicateResponse>());
        Assert.False(response.Success);
        Assert.Equal(5, response.Term);
    }

    [Fact]
    public void Candidate_ReceivingTheWinnersSnapshot_BecomesItsSecondary()
    {
        var candidate = NewRaft("b", term: 1, log: Log(1));
        TickUntilCandidate(candidate);
        DrainAll(candidate);

        candidate.Step(new InstallSnapshot("a", "b", candidate.Term, new SnapshotMarker(7, candidate.Term)));

        Assert.Equal(Role.Secondary, candidate.Role);
        Assert.Equal("a", candidate.Primary);
        Assert.Equal(new SnapshotMarker(7, candidate.Term), Drain(candidate).Snapshot);
    }

    [Fact]
    public void SnapshotTaken_RefusesStateNotYetApplied_AndIgnoresAnOlderSnapshot()
    {
        var primary = CompactedPrimary();

        Assert.Throws<ArgumentException>(() => primary.SnapshotTaken(new SnapshotMarker(9, primary.Term), compactThrough: 9));
        primary.SnapshotTaken(new SnapshotMarker(2, primary.Term), compactThrough: 2);

        Assert.Equal(4, primary.LatestSnapshot.Index);
        Assert.Equal(4, primary.Log.Start.Index);
    }

    [Fact]
    public void Restart_FromASnapshot_ResumesWithTheLogAfterIt()
    {
        var raft = new Raft("b", RaftTestKit.Cluster, Options, new Random(1), new HardState(3, null),
            [new Entry(6, 3, Bytes("six"))], new SnapshotMarker(5, 2));

        Assert.Equal(5, raft.CommitIndex);
        Assert.Equal(6, raft.Log.LastIndex);
        Assert.Equal(2, raft.Log.TermAt(5));
        Assert.Empty(Drain(raft).CommittedEntries);
    }
}
