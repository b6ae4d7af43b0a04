using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.3, log replication.</summary>
public class ReplicationTests
{
    [Fact]
    public void Primary_CountsItsOwnEntry_OnlyAfterAdvance()
    {
        var primary = CaughtUpPrimary();
        var proposal = primary.Propose(Bytes("x"));
        var ready = primary.TakeReady();
        Assert.Equal([proposal.Index], ready.EntriesToPersist.Select(e => e.Index));

        primary.Step(Ack(primary, "b", proposal.Index));
        Assert.Equal(1, primary.CommitIndex); // b alone is not a majority: our own copy is not yet on disk

        primary.Advance(ready);
        Assert.Equal(proposal.Index, primary.CommitIndex);
        var committed = Assert.Single(Drain(primary).CommittedEntries);
        Assert.Equal("x", Text(committed));
    }

    [Fact]
    public void Primary_WhoseEntriesBecomeDurableLater_CountsItsOwnCopy_OnlyWhenReported()
    {
        var primary = CaughtUpPrimary();
        var proposal = primary.Propose(Bytes("x"));
        var ready = primary.TakeReady();
        Assert.True(ready.DurabilityMayFollow);
        primary.Advance(ready, entriesDurable: false);

        primary.Step(Ack(primary, "b", proposal.Index));
        Assert.Equal(1, primary.CommitIndex); // b alone is not a majority: our own copy is not yet on disk

        primary.LogDurable(proposal.Index, proposal.Term);
        Assert.Equal(proposal.Index, primary.CommitIndex);
        Assert.Equal("x", Text(Assert.Single(Drain(primary).CommittedEntries)));
    }

    [Fact]
    public void DurabilityReport_OvertakenByATruncation_IsIgnored()
    {
        var secondary = NewRaft("b", term: 2, log: Log(1, 2, 2));
        secondary.Step(new Replicate("a", "b", Term: 3, PrevLogIndex: 2, PrevLogTerm: 2, Entries: [new Entry(3, 3, Bytes("new"))], CommitIndex: 0));
        var ready = Drain(secondary);
        Assert.Equal(3, ready.TruncateFrom);
        Assert.Equal(3, secondary.Log.DurableIndex);

        secondary.LogDurable(3, 2); // vouches for the entry of term 2 that the truncation replaced

        Assert.Equal(3, secondary.Log.DurableIndex);
        Assert.False(secondary.Log.MarkDurableThrough(4, 3));
    }

    [Fact]
    public void WithoutAsyncStorageWrites_ASecondarysEntries_MustBeDurableBeforeAdvance()
    {
        var secondary = NewRaft("b", term: 2, log: Log(1, 2));
        secondary.Step(new Replicate("a", "b", Term: 2, PrevLogIndex: 2, PrevLogTerm: 2, Entries: [new Entry(3, 2, Bytes("e3"))], CommitIndex: 0));
        var ready = secondary.TakeReady();

        Assert.False(ready.DurabilityMayFollow);
        Assert.Equal(3, Assert.Single(ready.Messages.OfType<ReplicateResponse>()).MatchIndex); // sent once persisted
        Assert.Throws<InvalidOperationException>(() => secondary.Advance(ready, entriesDurable: false));
    }

    private static Raft AsyncSecondary() => NewRaft("b", term: 2, log: Log(1, 2), options: Options with { AsyncStorageWrites = true });

    private static Replicate Entries(long prev, string text, long readContext = 0) =>
        new("a", "b", Term: 2, PrevLogIndex: prev, PrevLogTerm: 2, Entries: [new Entry(prev + 1, 2, Bytes(text))], CommitIndex: 0,
            ReadContext: readContext);

    [Fact]
    public void AsyncSecondary_AcknowledgesEntries_OnlyOnceReportedDurable()
    {
        var secondary = AsyncSecondary();
        secondary.Step(Entries(2, "e3"));
        var ready = secondary.TakeReady();

        Assert.True(ready.DurabilityMayFollow);
        Assert.Empty(ready.Messages);
        secondary.Advance(ready, entriesDurable: false);
        Assert.DoesNotContain(DrainAll(secondary).OfType<ReplicateResponse>(), ack => ack.MatchIndex >= 3);

        secondary.LogDurable(3, 2);
        var ack = Assert.Single(DrainAll(secondary).OfType<ReplicateResponse>());
        Assert.True(ack.Success);
        Assert.Equal(3, ack.MatchIndex);
        Assert.Equal("a", ack.To);
    }

    [Fact]
    public void AsyncSecondary_AcknowledgesEverythingOneSyncMadeDurable_Once()
    {
        var secondary = AsyncSecondary();
        for (var prev = 2; prev < 5; prev++)
        {
            secondary.Step(Entries(prev, $"e{prev + 1}"));
            secondary.Advance(secondary.TakeReady(), entriesDurable: false);
        }

        secondary.LogDurable(5, 2);

        Assert.Equal(5, Assert.Single(DrainAll(secondary).OfType<ReplicateResponse>()).MatchIndex);
        secondary.LogDurable(5, 2);
        Assert.Empty(DrainAll(secondary));
    }

    [Fact]
    public void AsyncSecondary_EchoesAReadRoundAtOnce_AcknowledgingOnlyWhatIsDurable()
    {
        var secondary = AsyncSecondary();
        secondary.Step(Entries(2, "e3", readContext: 7));
        var ready = secondary.TakeReady();

        var echo = Assert.Single(ready.Messages.OfType<ReplicateResponse>());
        Assert.Equal(7, echo.ReadContext);
        Assert.Equal(2, echo.MatchIndex); // entry 3 is not yet on disk
        secondary.Advance(ready, entriesDurable: false);

        secondary.LogDurable(3, 2);
        Assert.Equal(3, Assert.Single(DrainAll(secondary).OfType<ReplicateResponse>()).MatchIndex);
    }

    [Fact]
    public void AsyncSecondary_AcknowledgesAHeartbeat_AtOnce_WhenEverythingItMatchesIsDurable()
    {
        var secondary = AsyncSecondary();

        secondary.Step(new Replicate("a", "b", Term: 2, PrevLogIndex: 2, PrevLogTerm: 2, Entries: [], CommitIndex: 0));

        Assert.Equal(2, Assert.Single(Drain(secondary).Messages.OfType<ReplicateResponse>()).MatchIndex);
    }

    [Fact]
    public void AsyncSecondary_AcknowledgesEntriesPersistedInline_InTheNextReady()
    {
        var secondary = AsyncSecondary();
        secondary.Step(Entries(2, "e3"));

        Assert.Empty(Drain(secondary).Messages); // persisted before Advance, as a vote's Ready would force it
        Assert.Equal(3, Assert.Single(DrainAll(secondary).OfType<ReplicateResponse>()).MatchIndex);
    }

    [Fact]
    public void AsyncSecondary_MustPersistATruncation_BeforeAdvance()
    {
        var secondary = NewRaft("b", term: 2, log: Log(1, 2, 2), options: Options with { AsyncStorageWrites = true });
        secondary.Step(new Replicate("a", "b", Term: 3, PrevLogIndex: 2, PrevLogTerm: 2, Entries: [new Entry(3, 3, Bytes("new"))], CommitIndex: 0));
        var ready = secondary.TakeReady();

        Assert.Equal(3, ready.TruncateFrom);
        Assert.False(ready.DurabilityMayFollow);
        Assert.Throws<InvalidOperationException>(() => secondary.Advance(ready, entriesDurable: false));
    }

    [Fact]
    public void AsyncSecondary_AcknowledgesDurableEntries_ToThePrimaryOfItsCurrentTerm_Only()
    {
        var secondary = AsyncSecondary();
        secondary.Step(Entries(2, "e3"));
        secondary.Advance(secondary.TakeReady(), entriesDurable: false);
        // c is primary of term 3, and its heartbeat shows its log matches through entry 3.
        secondary.Step(new Replicate("c", "b", Term: 3, PrevLogIndex: 3, PrevLogTerm: 2, Entries: [], CommitIndex: 0));
        Assert.DoesNotContain(DrainAll(secondary).OfType<ReplicateResponse>(), ack => ack.MatchIndex >= 3); // not yet durable

        secondary.LogDurable(3, 2);

        var ack = Assert.Single(DrainAll(secondary).OfType<ReplicateResponse>());
        Assert.Equal(("c", 3L, 3L), (ack.To, ack.Term, ack.MatchIndex));
    }

    [Fact]
    public void Primary_Commits_WhenTwoSecondariesHoldTheEntry_EvenBeforeItsOwnWrite()
    {
        var primary = CaughtUpPrimary();
        var proposal = primary.Propose(Bytes("x"));
        var ready = primary.TakeReady();

        primary.Step(Ack(primary, "b", proposal.Index));
        primary.Step(Ack(primary, "c", proposal.Index));

        Assert.Equal(proposal.Index, primary.CommitIndex);
        primary.Advance(ready);
    }

    [Fact]
    public void Primary_SendsCommitIndex_SoSecondariesApply()
    {
        var primary = CaughtUpPrimary();
        primary.Propose(Bytes("x"));
        DrainAll(primary);

        primary.Step(Ack(primary, "b", 2));
        var messages = DrainAll(primary);

        Assert.Contains(messages.To<Replicate>("c"), r => r.CommitIndex == 2);
        Assert.Contains(messages.To<Replicate>("b"), r => r.CommitIndex == 2);
    }

    [Fact]
    public void Secondary_RejectsReplicate_WhenPreviousTermDiffers()
    {
        var secondary = NewRaft("b", term: 3, log: Log(1, 2, 2));

        secondary.Step(new Replicate("a", "b", 3, PrevLogIndex: 3, PrevLogTerm: 3, [new Entry(4, 3, Bytes("x"))], CommitIndex: 0));

        var answer = Assert.Single(Drain(secondary).Messages.OfType<ReplicateResponse>());
        Assert.False(answer.Success);
        Assert.Equal(3, answer.RejectedIndex);
        Assert.Equal(2, answer.HintIndex);
        Assert.Equal(3, secondary.Log.LastIndex);
    }

    [Fact]
    public void Secondary_CommitsOnlyWhatTheReplicateProved()
    {
        // Entries beyond the message may be leftovers of an old term that this primary will replace.
        var secondary = NewRaft("b", term: 3, log: Log(1, 2, 2, 2));

        secondary.Step(new Replicate("a", "b", 3, PrevLogIndex: 1, PrevLogTerm: 1, [], CommitIndex: 4));

        Assert.Equal(1, secondary.CommitIndex);
    }

    [Fact]
    public void Proposal_OnSecondary_IsRefused_NamingThePrimary()
    {
        var network = new TestNetwork(3, seed: 5);
        var primary = network.ElectPrimary();
        var secondary = network.Ids.First(id => id != primary.Id);

        var result = network.Propose(secondary, "x");

        Assert.False(result.Accepted);
        Assert.Equal(primary.Id, result.Primary);
        Assert.Equal(primary.Term, result.Term);
    }

    [Fact]
    public void Proposals_AreCommitted_AndAppliedInOrderOnEveryNode()
    {
        var network = new TestNetwork(3, seed: 11);
        var primary = network.ElectPrimary();
        var proposed = new List<string>();

        for (var i = 0; i < 20; i++)
        {
            proposed.Add($"set k{i}");
            Assert.True(network.Propose(primary.Id, proposed[^1]).Accepted);
            if (i % 3 == 0)
                network.Tick();
        }
        var last = primary.Log.LastIndex;
        network.RunUntil(() => network.AllLiveApplied(last), 50, "every node to apply every proposal");

        foreach (var id in network.Ids)
        {
            var applied = network.Applied(id).Where(e => !e.IsNoOp).Select(Text);
            Assert.Equal(proposed, applied);
        }
    }

    [Fact]
    public void OldPrimary_DivergentEntries_AreReplaced_AfterHealing()
    {
        var network = new TestNetwork(3, seed: 3);
        var old = network.ElectPrimary();
        Assert.True(network.Propose(old.Id, "committed").Accepted);
        network.RunUntil(() => network.AllLiveApplied(old.Log.LastIndex), 20, "the first write to commit");
        var oldTerm = old.Term;
        var firstLost = old.Log.LastIndex + 1;

        // Cut off, the old primary still accepts writes that can never commit.
        network.Isolate(old.Id);
        for (var i = 0; i < 3; i++)
            Assert.True(network.Propose(old.Id, $"lost{i}").Accepted);
        network.RunUntil(() => network.Primaries.Any(p => p.Id != old.Id), 200, "the majority to elect a new primary");
        var fresh = network.Primaries.Single(p => p.Id != old.Id);
        Assert.True(fresh.Term > oldTerm);
        for (var i = 0; i < 2; i++)
            Assert.True(network.Propose(fresh.Id, $"new{i}").Accepted);
        network.RunUntil(() => fresh.HasCommittedInCurrentTerm && fresh.CommitIndex == fresh.Log.LastIndex, 20, "the new writes to commit");

        network.Heal();
        network.RunUntil(() => network.Primaries.Count == 1 && AllLogsMatch(network) && network.AllLiveApplied(network.Primary.CommitIndex)
            && network.Primary.CommitIndex == network.Primary.Log.LastIndex, 300, "the logs to converge");

        Assert.Contains(firstLost, network.Truncations(old.Id));
        Assert.DoesNotContain(network.PersistedLog(old.Id), e => Text(e).StartsWith("lost"));
        Assert.Equal(["committed", "new0", "new1"], network.Applied(old.Id).Where(e => !e.IsNoOp).Select(Text));
        foreach (var id in network.Ids)
            Assert.Equal(network.Applied(old.Id).Select(Text), network.Applied(id).Select(Text));
    }

    [Fact]
    public void Primary_BacksUp_ToWhereALaggingSecondaryMatches()
    {
        var network = new TestNetwork(3, seed: 9);
        var primary = network.ElectPrimary();
        var lagging = network.Ids.First(id => id != primary.Id);
        network.Isolate(lagging);
        for (var i = 0; i < 30; i++)
            network.Propose(primary.Id, $"w{i}");
        network.Tick();

        network.Heal();
        network.RunUntil(() => network.AllLiveApplied(primary.Log.LastIndex), 50, "the lagging secondary to catch up");

        Assert.True(AllLogsMatch(network));
        Assert.Empty(network.Truncations(lagging));
    }

    internal static bool AllLogsMatch(TestNetwork network)
    {
        var logs = network.Ids.Select(network.PersistedLog).ToList();
        return logs.All(log => log.Count == logs[0].Count && log.Zip(logs[0]).All(p => TestNetwork.SameEntry(p.First, p.Second)));
    }
}
