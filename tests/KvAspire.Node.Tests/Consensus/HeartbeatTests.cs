using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.2 heartbeats, and check-quorum (Raft thesis §6.2).</summary>
public class HeartbeatTests
{
    private static readonly RaftOptions SlowHeartbeat = Options with { HeartbeatTicks = 3 };

    [Fact]
    public void Primary_SendsAnEmptyReplicate_ToEverySecondary_EveryHeartbeatInterval()
    {
        var primary = NewPrimary(options: SlowHeartbeat);
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 1));
        primary.Step(Ack(primary, "c", 1));
        DrainAll(primary);

        for (var period = 0; period < 5; period++)
        {
            for (var tick = 1; tick < SlowHeartbeat.HeartbeatTicks; tick++)
            {
                primary.Tick();
                Assert.Empty(DrainAll(primary));
            }
            primary.Tick();
            var heartbeats = DrainAll(primary).OfType<Replicate>().OrderBy(r => r.To).ToList();

            Assert.Equal(["b", "c"], heartbeats.Select(h => h.To));
            Assert.All(heartbeats, h =>
            {
                Assert.True(h.IsHeartbeat);
                Assert.Equal(primary.Term, h.Term);
                Assert.Equal(1, h.PrevLogIndex);
                Assert.Equal(1, h.CommitIndex);
            });
            foreach (var heartbeat in heartbeats)
                primary.Step(Ack(primary, heartbeat.To, heartbeat.PrevLogIndex));
        }
        Assert.Equal(Role.Primary, primary.Role);
    }

    [Fact]
    public void Secondary_ThatReceivesHeartbeats_NeverStartsAnElection()
    {
        var network = new TestNetwork(3, seed: 21, options: SlowHeartbeat);
        var primary = network.ElectPrimary();
        var term = primary.Term;
        var sentBefore = network.Sent.Count;

        network.Tick(1000);

        Assert.Same(primary, network.Primary);
        Assert.All(network.Live, r => Assert.Equal(term, r.Term));
        Assert.DoesNotContain(network.Sent.Skip(sentBefore), m => m is RequestVote);
    }

    [Fact]
    public void Secondary_ResetsItsElectionTimer_OnEachHeartbeat()
    {
        var secondary = NewRaft("b");

        for (var tick = 0; tick < 10 * Options.ElectionTicksMax; tick++)
        {
            secondary.Tick();
            secondary.Step(new Replicate("a", "b", 1, 0, 0, [], 0));
            DrainAll(secondary);
        }

        Assert.Equal(Role.Secondary, secondary.Role);
        Assert.Equal(1, secondary.Term);
        Assert.Equal("a", secondary.Primary);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void IsolatedPrimary_StepsDown_AfterTheElectionTimeout(int seed)
    {
        var network = new TestNetwork(3, seed);
        var primary = network.ElectPrimary();
        network.Tick(seed * 3); // isolate at different points of the check-quorum period
        var min = network.Options.ElectionTicksMin;

        network.Isolate(primary.Id);
        var ticks = 0;
        while (primary.Role == Role.Primary)
        {
            Assert.True(ticks <= 2 * min, $"still primary {ticks} ticks after isolation");
            network.Tick();
            ticks++;
        }

        // It was heard from within the current check period, so at least one full period passes first.
        Assert.InRange(ticks, min, 2 * min);
        Assert.Equal(Role.Secondary, primary.Role);
        Assert.False(network.Propose(primary.Id, "x").Accepted);
    }

    [Fact]
    public void Primary_WithoutCheckQuorum_StaysPrimaryWhenIsolated()
    {
        var network = new TestNetwork(3, seed: 4, options: new RaftOptions { CheckQuorum = false });
        var primary = network.ElectPrimary();

        network.Isolate(primary.Id);
        network.Tick(10 * network.Options.ElectionTicksMax);

        Assert.Equal(Role.Primary, primary.Role);
    }
}
