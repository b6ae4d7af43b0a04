using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Tests.StateMachine;
using KvAspire.Node.Tests.Telemetry;

namespace KvAspire.Node.Tests.DataModel;

/// <summary>Three replicating nodes end with identical stores after typed writes (sorted sets among them), expiry, transactions and a change of primary.</summary>
public sealed class ReplicaStateTests
{
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    [Fact]
    public async Task EveryReplica_HoldsTheSameKeysKindsRevisionsAndDeadlines_AfterExpiryTransactionsAndAFailover()
    {
        await using var cluster = new InProcessCluster(Nodes);
        await cluster.StartAsync();
        var first = await cluster.WaitForPrimaryAsync();
        await WriteEverythingAsync(cluster.Commands[first.Node], "a");
        await Task.Delay(300);
        await cluster.Expiry[first.Node].SweepOnceAsync(CancellationToken.None);

        cluster.Block(first.Node);
        var second = await InProcessCluster.WaitAsync("a new primary", () =>
            Nodes.Where(n => n != first.Node).Select(cluster.Status).FirstOrDefault(s => s is { Role: KvAspire.Node.Consensus.Role.Primary, ServesReads: true }));
        await WriteEverythingAsync(cluster.Commands[second.Node], "b");
        cluster.Unblock(first.Node);
        await Task.Delay(300);
        await cluster.Expiry[second.Node].SweepOnceAsync(CancellationToken.None);
        var last = cluster.Stores[second.Node].AppliedIndex;
        await InProcessCluster.WaitAsync("every node to apply the last entry", () =>
            Nodes.All(n => cluster.Stores[n].AppliedIndex >= last) ? "done" : null);

        var states = Nodes.Select(n => ExpiryAndRevisionTests.Describe(cluster.Stores[n])).ToList();
        Assert.All(states, state => Assert.Equal(states[0], state));
        Assert.Single(Nodes.Select(n => cluster.Stores[n].AppliedDigest).Distinct());
        Assert.DoesNotContain("a:short", states[0]);
        Assert.Contains("a:long", states[0]);
    }

    private static async Task WriteEverythingAsync(KvAspire.Node.Api.KvCommands commands, string prefix)
    {
        var now = commands.NowMs;
        var outcomes = new List<WriteOutcome>
        {
            await commands.SetIfAsync(prefix + ":short", "v"u8.ToArray(), null, TimeSpan.FromMilliseconds(100), SetFlags.None, null, CancellationToken.None),
            await commands.SetIfAsync(prefix + ":long", "v"u8.ToArray(), null, TimeSpan.FromHours(1), SetFlags.None, null, CancellationToken.None),
            await commands.WriteAsync("INCR", KvCommand.Of(CommandOp.IncrementBy, prefix + ":n", now, CommandArgs.Long(5)), CancellationToken.None),
            await commands.WriteAsync("HSET", KvCommand.Of(CommandOp.HashSet, prefix + ":h", now, CommandArgs.Int(100), CommandArgs.Byte(0),
                "f"u8.ToArray(), "v"u8.ToArray()), CancellationToken.None),
            await commands.WriteAsync("RPUSH", KvCommand.Of(CommandOp.ListPush, prefix + ":l", now, CommandArgs.Int(100), CommandArgs.Byte(1),
                "x"u8.ToArray(), "y"u8.ToArray()), CancellationToken.None),
            await commands.WriteAsync("SADD", KvCommand.Of(CommandOp.SetAdd, prefix + ":s", now, CommandArgs.Int(100), "m"u8.ToArray()), CancellationToken.None),
            await commands.WriteAsync("ZADD", KvCommand.Of(CommandOp.SortedSetAdd, prefix + ":z", now, CommandArgs.Int(100), CommandArgs.Byte(0),
                CommandArgs.Double(1.5), "a"u8.ToArray(), CommandArgs.Double(-2), "b"u8.ToArray(), CommandArgs.Double(7), "c"u8.ToArray()), CancellationToken.None),
            await commands.WriteAsync("ZPOPMIN", KvCommand.Of(CommandOp.SortedSetPop, prefix + ":z", now, CommandArgs.Byte(SortedSetOps.Lowest),
                CommandArgs.Long(-1)), CancellationToken.None),
            await commands.WriteAsync("EXEC", Transaction.Create([KeyValuePair.Create(prefix + ":n", commands.WatchRevision(prefix + ":n"))],
                [KvCommand.Of(CommandOp.IncrementBy, prefix + ":n", now, CommandArgs.Long(1)),
                 KvCommand.Of(CommandOp.Expire, prefix + ":h", now, CommandArgs.Long(now + 3_600_000), CommandArgs.Byte(0))], now),
                CancellationToken.None),
        };
        Assert.All(outcomes, outcome => Assert.IsType<WriteOutcome.Written>(outcome));
    }
}
