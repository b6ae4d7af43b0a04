using KvAspire.Node.Api;
using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Tests.Telemetry;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>
/// Under <c>Replication:Acknowledge=Primary</c> a write is answered once the primary's own disk has it, before it commits.
/// Three real host loops whose replication is held back keep such a write uncommitted while the primary stays
/// recognised: a read on the client's connection (which passes its last write, as HTTP and RESP do) must see it anyway.
/// </summary>
public sealed class ReadYourWritesTests
{
    [Fact]
    public async Task APrimaryAcknowledgedWrite_IsSeenByTheNextReadOnItsConnection_ThoughNotYetCommitted()
    {
        await using var cluster = new InProcessCluster("n1", "n2", "n3");
        await cluster.StartAsync();
        var primary = await cluster.WaitForPrimaryAsync();
        var commands = cluster.Commands[primary.Node];
        var v0 = Assert.IsType<WriteOutcome.Written>(await commands.SetAsync("k", "v0"u8.ToArray(), null, Acknowledge.Quorum, CancellationToken.None));
        // Every node settled (founded, promoted, caught up) under this primary before replication is held back.
        await InProcessCluster.WaitAsync("every node to apply v0", () =>
            cluster.Stores.Values.All(store => store.AppliedIndex >= v0.Index) ? "done" : null);

        cluster.HoldEntries();
        var written = Assert.IsType<WriteOutcome.Written>(
            await commands.SetAsync("k", "v1"u8.ToArray(), null, Acknowledge.Primary, CancellationToken.None));
        var sameConnection = commands.GetAsync("k", CancellationToken.None, new SharedReadPermit(() => written.Index));
        // Reads are confirmed in the order they arrive: once a later read is answered, the earlier one could have been.
        var otherConnection = await commands.GetAsync("k", CancellationToken.None);
        var waitedForCommit = !sameConnection.IsCompleted;
        cluster.ReleaseEntries();

        // Without the last write passed along, the writer's read was answered with v0, as the other connection's is.
        Assert.Equal("v0"u8.ToArray(), Assert.IsType<ReadOutcome.Found>(otherConnection).Value.Value.ToArray());
        Assert.True(waitedForCommit, "the read on the writer's connection was answered before the write committed");
        Assert.Equal("v1"u8.ToArray(), Assert.IsType<ReadOutcome.Found>(await sameConnection).Value.Value.ToArray());
    }
}
