using KvAspire.Node.Cluster;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>Syncing covers the whole catch-up, snapshot and log tail, and one snapshot arrives at a time.</summary>
public sealed class SyncingTests
{
    private readonly Syncing _syncing = new();

    [Fact]
    public void Syncing_LastsThroughTransferInstallAndTheLogTail_UntilTheLogIsAppliedThroughThePrimarysCommit()
    {
        Assert.True(_syncing.TryBegin("node2", snapshotIndex: 100, bytesTotal: 1000));
        _syncing.Received(600);
        _syncing.Observe(appliedIndex: 0, primaryCommitIndex: 150);
        Assert.Equal(new SyncProgress("node2", 100, 600, 1000, SyncPhase.Transfer, 150), _syncing.Current);

        _syncing.Received(400);
        _syncing.HandedOver();
        _syncing.Observe(appliedIndex: 500, primaryCommitIndex: 150); // the old store's index says nothing yet
        Assert.Equal(SyncPhase.Install, _syncing.Current?.Phase);

        _syncing.Settled();
        _syncing.Observe(appliedIndex: 100, primaryCommitIndex: 160);
        Assert.Equal(new SyncProgress("node2", 100, 1000, 1000, SyncPhase.Log, 160), _syncing.Current);
        _syncing.Observe(appliedIndex: 159, primaryCommitIndex: 160);
        Assert.NotNull(_syncing.Current);

        _syncing.Observe(appliedIndex: 160, primaryCommitIndex: 160);
        Assert.Null(_syncing.Current);
        Assert.Equal(new SyncProgress("node2", 100, 1000, 1000, SyncPhase.Log, 160), _syncing.Last);
    }

    [Fact]
    public void ThePrimarysCommitReportedBeforeTheSnapshot_DoesNotEndItBeforeTheSnapshotIsApplied()
    {
        _syncing.TryBegin("node2", snapshotIndex: 100, bytesTotal: 10);
        _syncing.HandedOver();
        _syncing.Settled();

        _syncing.Observe(appliedIndex: 40, primaryCommitIndex: 50);
        Assert.Equal(100, _syncing.Current?.PrimaryCommitIndex);
        _syncing.Observe(appliedIndex: 100, primaryCommitIndex: 50);
        Assert.Null(_syncing.Current);
    }

    [Fact]
    public void ASecondStream_IsRefused_WhileOneStreamsOrWaitsToBeInstalled_AndTheFirstKeepsSyncing()
    {
        Assert.True(_syncing.TryBegin("node2", snapshotIndex: 100, bytesTotal: 1000));

        Assert.False(_syncing.TryBegin("node3", snapshotIndex: 120, bytesTotal: 2000));
        _syncing.Received(1000);
        _syncing.HandedOver();
        Assert.False(_syncing.TryBegin("node3", snapshotIndex: 120, bytesTotal: 2000));
        Assert.Equal(new SyncProgress("node2", 100, 1000, 1000, SyncPhase.Install, 100), _syncing.Current);

        // Installed: a newer snapshot may replace the log tail still to come.
        _syncing.Settled();
        Assert.True(_syncing.TryBegin("node3", snapshotIndex: 120, bytesTotal: 2000));
        Assert.Equal(new SyncProgress("node3", 120, 0, 2000, SyncPhase.Transfer, 120), _syncing.Current);
    }

    [Fact]
    public void AnAbandonedStream_EndsSyncing_WithoutCountingAsACatchUp()
    {
        _syncing.TryBegin("node2", snapshotIndex: 100, bytesTotal: 1000);
        _syncing.Received(10);

        _syncing.Abandoned();

        Assert.Null(_syncing.Current);
        Assert.Null(_syncing.Last);
        Assert.True(_syncing.TryBegin("node2", snapshotIndex: 100, bytesTotal: 1000));
    }
}
