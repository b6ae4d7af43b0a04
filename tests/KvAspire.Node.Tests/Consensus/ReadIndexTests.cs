using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft thesis §6.4: linearizable reads through ReadIndex.</summary>
public class ReadIndexTests
{
    private static (List<ReadState> States, List<Message> Messages) Collect(Raft raft)
    {
        var states = new List<ReadState>();
        var messages = new List<Message>();
        while (raft.HasReady)
        {
            var ready = Drain(raft);
            states.AddRange(ready.ReadStates);
            messages.AddRange(ready.Messages);
        }
        return (states, messages);
    }

    private static ReplicateResponse Echo(Raft primary, string from, long context, bool success = true) =>
        new(from, primary.Id, primary.Term, success, MatchIndex: success ? primary.Log.LastIndex : 0,
            RejectedIndex: success ? 0 : 1, HintIndex: 0, ReadContext: context);

    [Fact]
    public void Secondary_RefusesReadIndex()
    {
        var secondary = NewRaft("a");
        Assert.False(secondary.ReadIndex(1));
        Assert.Empty(Collect(secondary).States);
    }

    [Fact]
    public void Primary_ConfirmsRead_OnlyAfterAMajorityEchoesItsHeartbeat()
    {
        var primary = CaughtUpPrimary();

        Assert.True(primary.ReadIndex(7));
        var (states, messages) = Collect(primary);
        Assert.Empty(states);
        var heartbeats = messages.OfType<Replicate>().ToList();
        Assert.Equal(["b", "c"], heartbeats.Select(m => m.To).Order());
        var context = Assert.Single(heartbeats.Select(m => m.ReadContext).Distinct());
        Assert.True(context > 0);

        primary.Step(Echo(primary, "b", context));
        Assert.Equal([new ReadState(7, primary.CommitIndex)], Collect(primary).States);
    }

    [Fact]
    public void Primary_CountsARejection_AsConfirmation_ButNotAStaleContext()
    {
        var primary = CaughtUpPrimary();
        primary.ReadIndex(1);
        var first = Collect(primary).Messages.OfType<Replicate>().First().ReadContext;
        primary.ReadIndex(2);
        Collect(primary);

        primary.Step(Echo(primary, "c", first, success: false));
        var (states, messages) = Collect(primary);
        Assert.Equal([1L], states.Select(s => s.RequestId));
        var second = messages.OfType<Replicate>().First().ReadContext;
        Assert.True(second > first);

        primary.Step(Echo(primary, "c", first));
        Assert.Empty(Collect(primary).States);
        primary.Step(Echo(primary, "c", second));
        Assert.Equal([2L], Collect(primary).States.Select(s => s.RequestId));
    }

    [Fact]
    public void ReadsArrivingDuringARound_ShareTheNextOne_WithOneRoundInFlight()
    {
        var primary = CaughtUpPrimary();
        primary.ReadIndex(1);
        var first = Collect(primary).Messages.OfType<Replicate>().First().ReadContext;

        primary.ReadIndex(2);
        primary.ReadIndex(3);
        Assert.Empty(Collect(primary).Messages); // no second round while the first is in flight

        primary.Step(Echo(primary, "b", first));
        var (states, messages) = Collect(primary);
        Assert.Equal([1L], states.Select(s => s.RequestId));
        var heartbeats = messages.OfType<Replicate>().ToList();
        Assert.Equal(["b", "c"], heartbeats.Select(m => m.To).Order());
        var second = Assert.Single(heartbeats.Select(m => m.ReadContext).Distinct());
        Assert.True(second > first);

        primary.Step(Echo(primary, "c", second));
        Assert.Equal([new ReadState(2, primary.CommitIndex), new ReadState(3, primary.CommitIndex)], Collect(primary).States);
    }

    [Fact]
    public void Primary_WithoutContext_InTheAnswer_DoesNotConfirmARead()
    {
        var primary = CaughtUpPrimary();
        primary.ReadIndex(1);
        Collect(primary);

        primary.Step(Echo(primary, "b", context: 0));
        primary.Step(Echo(primary, "c", context: 0));
        Assert.Empty(Collect(primary).States);
    }

    [Fact]
    public void NewPrimary_HoldsReads_UntilItCommitsAnEntryOfItsTerm()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        Assert.False(primary.HasCommittedInCurrentTerm);

        Assert.True(primary.ReadIndex(3));
        Assert.All(Collect(primary).Messages.OfType<Replicate>(), m => Assert.Equal(0, m.ReadContext));

        primary.Step(Ack(primary, "b", 1));
        var (states, messages) = Collect(primary);
        Assert.Empty(states);
        var context = messages.OfType<Replicate>().Select(m => m.ReadContext).Max();
        Assert.True(context > 0);

        primary.Step(Echo(primary, "b", context));
        Assert.Equal([new ReadState(3, 1)], Collect(primary).States);

        // A later read is confirmed on its own: the held read is not confirmed a second time.
        primary.ReadIndex(4);
        var next = Collect(primary).Messages.OfType<Replicate>().Select(m => m.ReadContext).Max();
        primary.Step(Echo(primary, "c", next));
        Assert.Equal([new ReadState(4, 1)], Collect(primary).States);
    }

    [Fact]
    public void Heartbeat_RetriesTheReadContext_AfterLoss()
    {
        var primary = CaughtUpPrimary();
        primary.ReadIndex(1);
        var lost = Collect(primary).Messages.OfType<Replicate>().First().ReadContext;

        primary.Tick();
        var retried = Collect(primary).Messages.OfType<Replicate>().ToList();
        Assert.NotEmpty(retried);
        Assert.All(retried, m => Assert.Equal(lost, m.ReadContext));
    }

    [Fact]
    public void Secondary_EchoesTheReadContext()
    {
        var secondary = NewRaft("b");
        secondary.Step(new Replicate("a", "b", 1, 0, 0, [], 0, ReadContext: 9));
        var answer = Assert.Single(Collect(secondary).Messages.OfType<ReplicateResponse>());
        Assert.Equal(9, answer.ReadContext);

        secondary.Step(new Replicate("a", "b", 1, 5, 1, [], 0, ReadContext: 10));
        var rejection = Assert.Single(Collect(secondary).Messages.OfType<ReplicateResponse>());
        Assert.False(rejection.Success);
        Assert.Equal(10, rejection.ReadContext);
    }

    [Fact]
    public void DeposedPrimary_DropsItsUnconfirmedReads()
    {
        var primary = CaughtUpPrimary();
        primary.ReadIndex(1);
        var context = Collect(primary).Messages.OfType<Replicate>().First().ReadContext;

        primary.Step(new Replicate("b", "a", primary.Term + 1, 0, 0, [], 0));
        Assert.Equal(Role.Secondary, primary.Role);
        primary.Step(Echo(primary, "c", context));
        Assert.Empty(Collect(primary).States);
    }

    [Fact]
    public void SingleNode_ConfirmsReadsAtOnce()
    {
        var raft = NewRaft("a", cluster: ["a"]);
        raft.Tick();
        for (var i = 0; i < Options.ElectionTicksMax && raft.Role != Role.Primary; i++)
            raft.Tick();
        DrainAll(raft);
        Assert.True(raft.HasCommittedInCurrentTerm);

        raft.ReadIndex(4);
        Assert.Equal([new ReadState(4, raft.CommitIndex)], Collect(raft).States);
    }

    /// <summary>
    /// The deposed-primary scenario: a primary cut off from the others while they elect a new one and
    /// commit a write. With check-quorum off it never notices on its own, the worst case: it must
    /// neither confirm a read nor commit (so never acknowledge under Quorum) a write.
    /// </summary>
    [Fact]
    public void CutOffPrimary_NeitherConfirmsReads_NorCommitsWrites()
    {
        var network = new TestNetwork(3, seed: 4, RaftTestKit.Options with { CheckQuorum = false });
        var old = network.ElectPrimary();
        network.Isolate(old.Id);
        network.RunUntil(() => network.Primaries.Any(p => p.Id != old.Id && p.HasCommittedInCurrentTerm), 200, "a new primary");
        var current = network.Primaries.Single(p => p.Id != old.Id);
        var committedElsewhere = current.Propose(Bytes("new"));
        network.Deliver();
        Assert.True(current.CommitIndex >= committedElsewhere.Index);

        Assert.Equal(Role.Primary, old.Role);
        var commitBefore = old.CommitIndex;
        Assert.True(old.ReadIndex(1));
        var stale = old.Propose(Bytes("stale"));
        Assert.True(stale.Accepted);
        network.Tick(3 * Options.ElectionTicksMax);

        Assert.Empty(network.ReadStates(old.Id));
        Assert.Equal(commitBefore, old.CommitIndex);

        network.Heal();
        network.RunUntil(() => old.Role == Role.Secondary && old.CommitIndex >= committedElsewhere.Index, 100, "the old primary to rejoin");
        Assert.Empty(network.ReadStates(old.Id));
        Assert.DoesNotContain(network.Applied(old.Id), e => !e.IsNoOp && Text(e) == "stale");
    }
}
