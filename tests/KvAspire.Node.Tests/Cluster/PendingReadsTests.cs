using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Cluster;

public sealed class PendingReadsTests
{
    private static TaskCompletionSource<ReadPermit> NewRead() => new();

    [Fact]
    public async Task Read_IsGranted_OnlyOnceConfirmedAndApplied()
    {
        var reads = new PendingReads();
        var read = NewRead();
        var id = reads.Add(read);

        reads.Applied(10);
        Assert.False(read.Task.IsCompleted);

        reads.Confirmed([new ReadState(id, 12)], appliedIndex: 11);
        Assert.False(read.Task.IsCompleted);

        reads.Applied(12);
        Assert.Equal(new ReadPermit.Granted(12), await read.Task);
        Assert.Equal(0, reads.Count);
    }

    [Fact]
    public async Task Read_AfterTheClientsOwnUncommittedWrite_WaitsUntilThatWriteIsApplied()
    {
        // A Primary-acknowledged write at 15 was answered before it committed; the client's next read is
        // confirmed at commit index 12, yet must see its own write.
        var reads = new PendingReads();
        var read = NewRead();
        var id = reads.Add(read, after: 15);

        reads.Confirmed([new ReadState(id, 12)], appliedIndex: 12);
        reads.Applied(14);
        Assert.False(read.Task.IsCompleted);

        reads.Applied(15);
        Assert.Equal(new ReadPermit.Granted(15), await read.Task);
    }

    [Fact]
    public async Task LosingThePrimaryRole_FailsUnconfirmedReads_ButKeepsConfirmedOnes()
    {
        var reads = new PendingReads();
        var confirmed = NewRead();
        var unconfirmed = NewRead();
        reads.Confirmed([new ReadState(reads.Add(confirmed), 5)], appliedIndex: 4);
        reads.Add(unconfirmed);

        reads.FailUnconfirmed("n2", 3);

        Assert.Equal(new ReadPermit.NotPrimary("n2", 3), await unconfirmed.Task);
        Assert.False(confirmed.Task.IsCompleted);
        reads.Applied(5);
        Assert.IsType<ReadPermit.Granted>(await confirmed.Task);
    }

    [Fact]
    public async Task Reject_FailsOnlyThatRead_AndFailAll_FailsEveryRead()
    {
        var reads = new PendingReads();
        var first = NewRead();
        var second = NewRead();
        var firstId = reads.Add(first);
        reads.Confirmed([new ReadState(reads.Add(second), 9)], appliedIndex: 1);

        reads.Reject(firstId, null, 2);
        Assert.Equal(new ReadPermit.NotPrimary(null, 2), await first.Task);
        Assert.False(second.Task.IsCompleted);

        reads.FailAll(null, 2);
        Assert.IsType<ReadPermit.NotPrimary>(await second.Task);
        Assert.Equal(0, reads.Count);
    }
}
