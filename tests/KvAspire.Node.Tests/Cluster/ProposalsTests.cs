using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.Cluster;

public sealed class ProposalsTests
{
    private readonly Proposals _proposals = new();

    private TaskCompletionSource<WriteOutcome> Add(long index, long term, Acknowledge acknowledge)
    {
        var completion = new TaskCompletionSource<WriteOutcome>();
        _proposals.Add(index, term, acknowledge, completion);
        return completion;
    }

    private static Entry EntryAt(long index, long term) => new(index, term, new byte[] { 1 });

    [Fact]
    public async Task QuorumWrite_CompletesOnlyWhenApplied()
    {
        var write = Add(5, 2, Acknowledge.Quorum);

        _proposals.Persisted([EntryAt(5, 2)]);
        Assert.False(write.Task.IsCompleted);

        _proposals.Applied(EntryAt(5, 2), new ApplyResult(Existed: true));
        Assert.Equal(new WriteOutcome.Written(5, 2, true), await write.Task);
        Assert.Equal(0, _proposals.Count);
    }

    [Fact]
    public async Task AnEntryThatRepeatsAnEarlierIdempotentWrite_AnswersWithThatWritesPlace()
    {
        var retry = Add(9, 3, Acknowledge.Quorum);
        var earlier = new IdempotencyRecord(1, 4, 2, true, CommandReply.Ok, 10_000);

        _proposals.Applied(EntryAt(9, 3), new ApplyResult(true, CommandReply.Ok) { Repeats = earlier });

        Assert.Equal(new WriteOutcome.Written(4, 2, true, CommandReply.Ok) { Repeated = true }, await retry.Task);
    }

    [Fact]
    public async Task PrimaryAcknowledgedWrite_CompletesWhenPersistedLocally()
    {
        var write = Add(5, 2, Acknowledge.Primary);

        _proposals.Persisted([EntryAt(5, 2)]);

        Assert.Equal(new WriteOutcome.Written(5, 2, null), await write.Task);
    }

    /// <summary>
    /// With Storage:CatchUpEntries=0 the secondaries can commit an entry, and a snapshot compact it away, before
    /// the primary's own fsync reports: the host then drops that report (the log no longer knows the entry's
    /// term). Nothing waits for it, because a compacted entry was applied, and applying answers the write.
    /// </summary>
    [Fact]
    public async Task PrimaryAcknowledgedWrite_WrittenButNotYetSynced_IsAnsweredWhenApplied_WithoutTheFsyncReport()
    {
        var write = Add(5, 2, Acknowledge.Primary);
        _proposals.Written([EntryAt(5, 2)]);

        _proposals.Applied(EntryAt(5, 2), new ApplyResult(Existed: false));

        Assert.Equal(new WriteOutcome.Written(5, 2, false), await write.Task);
        Assert.Equal(0, _proposals.Count);
    }

    [Fact]
    public async Task Write_FailsWithPrimaryLost_WhenAnotherTermsEntryIsAppliedAtItsIndex()
    {
        var write = Add(5, 2, Acknowledge.Quorum);

        _proposals.Applied(EntryAt(5, 3), default);

        Assert.Equal(new WriteOutcome.PrimaryLost(3), await write.Task);
    }

    [Fact]
    public async Task Truncation_FailsEveryWriteFromThatIndexOn_AndKeepsEarlierOnes()
    {
        var kept = Add(4, 2, Acknowledge.Quorum);
        var lost = Add(5, 2, Acknowledge.Quorum);
        var alsoLost = Add(6, 2, Acknowledge.Quorum);

        _proposals.Truncated(5, 3);

        Assert.False(kept.Task.IsCompleted);
        Assert.IsType<WriteOutcome.PrimaryLost>(await lost.Task);
        Assert.IsType<WriteOutcome.PrimaryLost>(await alsoLost.Task);
    }

    [Fact]
    public async Task FailAll_FailsEveryPendingWrite()
    {
        var a = Add(1, 1, Acknowledge.Quorum);
        var b = Add(2, 1, Acknowledge.Quorum);

        _proposals.FailAll(2);

        Assert.Equal(new WriteOutcome.PrimaryLost(2), await a.Task);
        Assert.Equal(new WriteOutcome.PrimaryLost(2), await b.Task);
        Assert.Equal(0, _proposals.Count);
    }

    [Fact]
    public async Task PrimaryAcknowledgedWrite_WrittenButNotYetDurable_CompletesWhenTheLogIsDurableThroughIt()
    {
        var first = Add(5, 2, Acknowledge.Primary);
        var second = Add(6, 2, Acknowledge.Primary);
        var quorum = Add(7, 2, Acknowledge.Quorum);

        _proposals.Written([EntryAt(5, 2), EntryAt(6, 2), EntryAt(7, 2)]);
        Assert.False(first.Task.IsCompleted);

        _proposals.Durable(5);
        Assert.Equal(new WriteOutcome.Written(5, 2, null), await first.Task);
        Assert.False(second.Task.IsCompleted);

        _proposals.Durable(7);
        Assert.Equal(new WriteOutcome.Written(6, 2, null), await second.Task);
        Assert.False(quorum.Task.IsCompleted);
    }

    [Fact]
    public async Task PrimaryAcknowledgedWrite_AwaitingDisk_IsNotCompletedByAReportAfterItWasTruncated()
    {
        var lost = Add(5, 2, Acknowledge.Primary);
        _proposals.Written([EntryAt(5, 2)]);
        _proposals.Truncated(5, 3);
        Assert.Equal(new WriteOutcome.PrimaryLost(3), await lost.Task);

        var again = Add(5, 4, Acknowledge.Primary);
        _proposals.Durable(5); // the old report arrives: it vouches for nothing still waiting
        Assert.False(again.Task.IsCompleted);
    }
}
