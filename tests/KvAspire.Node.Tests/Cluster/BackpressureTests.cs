using KvAspire.Node.Cluster;
using Microsoft.Extensions.Configuration;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>A host loop that falls behind refuses new client work at once with a named outcome, instead of queueing without bound.</summary>
public sealed class BackpressureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kv-backpressure-").FullName;

    [Fact]
    public async Task FullQueue_RefusesWritesAndReads_AtOnce_WithoutWritingAnything()
    {
        const int Budget = 16;
        // Never started: nothing drains the queue, as if the loop were stuck behind a long fsync.
        var node = TestHost.Create("node1", _directory, new ConfigurationBuilder().Build(), new NoPeers(), maxQueuedInputs: Budget);
        var queued = Enumerable.Range(0, Budget)
            .Select(_ => node.Host.ProposeAsync([1, 2, 3], Acknowledge.Quorum))
            .ToList();

        var write = await node.Host.ProposeAsync([4], Acknowledge.Quorum);
        var read = await node.Host.ReadAsync();

        Assert.Equal(new WriteOutcome.Overloaded(Budget), write);
        Assert.Equal(new ReadPermit.Overloaded(Budget), read);
        Assert.All(queued, task => Assert.False(task.IsCompleted));
        Assert.Equal(0, node.Store.AppliedIndex);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
