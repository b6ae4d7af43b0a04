using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>What a node must remember across a crash (Raft Figure 2, "persistent state on all servers").</summary>
public class RestartTests
{
    private static RequestVoteResponse LastAnswer(TestNetwork network, string from, string to) =>
        network.Sent.OfType<RequestVoteResponse>().Last(m => m.From == from && m.To == to);

    [Fact]
    public void RestartedNode_NeverVotesTwiceInATerm()
    {
        var network = new TestNetwork(3);
        network.Send(new RequestVote("a", "b", 5, 0, 0));
        network.Deliver();
        Assert.True(LastAnswer(network, "b", "a").Granted);
        Assert.Equal(new HardState(5, "a"), network.PersistedHardState("b"));

        network.Crash("b");
        network.Restart("b");
        network.Send(new RequestVote("c", "b", 5, 0, 0));
        network.Deliver();

        Assert.False(LastAnswer(network, "b", "c").Granted);
        Assert.Equal(5, network["b"].Term);
        Assert.Equal("a", network["b"].VotedFor);
    }

    [Fact]
    public void RestartedSecondary_RebuildsItsLog_AndReappliesCommittedEntries()
    {
        var network = new TestNetwork(3, seed: 8);
        var primary = network.ElectPrimary();
        var secondary = network.Ids.First(id => id != primary.Id);
        for (var i = 0; i < 5; i++)
            network.Propose(primary.Id, $"w{i}");
        network.RunUntil(() => network.AllLiveApplied(primary.Log.LastIndex), 20, "the writes to apply");
        var before = network.Applied(secondary).Select(RaftTestKit.Text).ToList();

        network.Crash(secondary);
        network.Propose(primary.Id, "while-down");
        network.Tick(5);
        network.Restart(secondary);
        Assert.Equal(primary.Log.LastIndex - 1, network[secondary].Log.LastIndex);

        network.RunUntil(() => network.AllLiveApplied(primary.Log.LastIndex), 50, "the restarted node to catch up");
        Assert.Equal([.. before, "while-down"], network.Applied(secondary).Select(RaftTestKit.Text));
        Assert.Same(primary, network.Primary);
    }

    [Fact]
    public void CommittedEntries_SurviveTheCrashOfThePrimary()
    {
        var network = new TestNetwork(3, seed: 13);
        var primary = network.ElectPrimary();
        network.Propose(primary.Id, "keep");
        network.RunUntil(() => primary.CommitIndex == primary.Log.LastIndex, 20, "the write to commit");

        network.Crash(primary.Id);
        var successor = network.ElectPrimary();
        network.Restart(primary.Id);
        network.RunUntil(() => network.AllLiveApplied(successor.CommitIndex), 100, "every node to apply");

        Assert.NotEqual(primary.Id, successor.Id);
        Assert.All(network.Ids, id => Assert.Contains("keep", network.Applied(id).Select(RaftTestKit.Text)));
    }
}
