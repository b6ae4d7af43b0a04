using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft thesis §6.4.1: lease reads (<see cref="ReadMode.Lease"/>), the primary's side.</summary>
public class LeaseReadTests
{
    /// <summary>A lease of 10 - 2 = 8 ticks.</summary>
    private static readonly RaftOptions Lease = Options with { ReadMode = ReadMode.Lease, LeaseMarginTicks = 2 };
    private static readonly int LeaseTicks = Lease.ElectionTicksMin - Lease.LeaseMarginTicks;

    /// <summary>A lease primary of a, b, c that committed its no-op, both secondaries having echoed the Replicate that
    /// carried it; returns that Replicate's send tick.</summary>
    private static (Raft Primary, long Sent) LeasePrimary()
    {
        var primary = NewPrimary(options: Lease);
        var sent = Sent(DrainAll(primary));
        primary.Step(Echo(primary, "b", 1, sent));
        primary.Step(Echo(primary, "c", 1, sent));
        DrainAll(primary);
        Assert.True(primary.HasCommittedInCurrentTerm);
        return (primary, sent);
    }

    private static long Sent(IEnumerable<Message> messages) => messages.OfType<Replicate>().Max(r => r.LeaseTick);

    private static ReplicateResponse Echo(Raft primary, string from, long match, long leaseTick) =>
        Ack(primary, from, match) with { LeaseTick = leaseTick };

    /// <summary>Reads the primary confirmed, and whether it started a ReadIndex round for any.</summary>
    private static (List<ReadState> States, bool Round) Read(Raft primary, long requestId)
    {
        Assert.True(primary.ReadIndex(requestId));
        return Confirmed(primary);
    }

    private static (List<ReadState> States, bool Round) Confirmed(Raft primary)
    {
        var states = new List<ReadState>();
        var round = false;
        while (primary.HasReady)
        {
            var ready = Drain(primary);
            states.AddRange(ready.ReadStates);
            round |= ready.Messages.OfType<Replicate>().Any(r => r.ReadContext > 0);
        }
        return (states, round);
    }

    /// <summary>Ticks the primary (which sends a heartbeat each tick) <paramref name="ticks"/> times; returns the last send tick.</summary>
    private static long Tick(Raft primary, int ticks)
    {
        var sent = 0L;
        for (var i = 0; i < ticks; i++)
        {
            primary.Tick();
            sent = Sent(DrainAll(primary));
        }
        return sent;
    }

    [Fact]
    public void LeasePrimary_AnswersARead_AtItsCommitIndex_WithoutARound()
    {
        var (primary, _) = LeasePrimary();

        var (states, round) = Read(primary, 7);

        Assert.Equal([new ReadState(7, primary.CommitIndex)], states);
        Assert.False(round);
    }

    [Fact]
    public void Lease_LapsesElectionTicksMinLessTheMargin_AfterTheEchoedSend()
    {
        var (primary, sent) = LeasePrimary();
        Assert.Equal(sent + LeaseTicks - 1, Tick(primary, LeaseTicks - 1)); // heartbeats go out, nobody answers them

        Assert.Single(Read(primary, 1).States);
        primary.Tick();
        var (states, round) = Read(primary, 2);

        Assert.Empty(states);
        Assert.True(round);
        Assert.Equal(Role.Primary, primary.Role);
    }

    [Fact]
    public void Lease_IsMeasuredFromTheSend_NotFromWhenTheEchoArrives()
    {
        var primary = NewPrimary(options: Lease);
        var sent = Sent(DrainAll(primary));
        Tick(primary, LeaseTicks);

        primary.Step(Echo(primary, "b", 1, sent)); // late: the voter's promise runs from when it received the message
        primary.Step(Echo(primary, "c", 1, sent));
        DrainAll(primary);
        var (states, round) = Read(primary, 1);

        Assert.True(primary.HasCommittedInCurrentTerm);
        Assert.Empty(states);
        Assert.True(round);
    }

    [Fact]
    public void Transfer_EndsTheLease_ForTheRestOfTheTerm_EvenOnceAbandoned()
    {
        var (primary, _) = LeasePrimary();

        Assert.Equal(TransferStatus.Started, primary.HandOver("b").Status);
        Assert.Empty(Read(primary, 1).States);
        for (var i = 0; i < Lease.ElectionTicksMin; i++)
        {
            var sent = Tick(primary, 1);
            primary.Step(Echo(primary, "b", 1, sent)); // echoes that confirm no read round, only the lease
            primary.Step(Echo(primary, "c", 1, sent));
        }
        DrainAll(primary);

        Assert.Null(primary.TransferTarget);
        Assert.Equal(Role.Primary, primary.Role);
        Assert.Empty(Read(primary, 2).States);
    }

    [Fact]
    public void NoLeaseRead_BeforeThePrimaryCommitsInItsTerm()
    {
        var primary = NewPrimary(log: Log(1, 1), term: 1, options: Lease);
        var sent = Sent(DrainAll(primary));
        primary.Step(Echo(primary, "b", 2, sent)); // echoes the lease but holds nothing of this term
        primary.Step(Echo(primary, "c", 2, sent));
        DrainAll(primary);

        var (states, _) = Read(primary, 1);

        Assert.False(primary.HasCommittedInCurrentTerm);
        Assert.Empty(states);
    }

    [Fact]
    public void WithoutALease_TheReadFallsBackToAReadIndexRound_AndIsConfirmedByIt()
    {
        var primary = NewPrimary(options: Lease);
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 1)); // a voter running ReadIndex echoes no lease tick
        primary.Step(Ack(primary, "c", 1));
        DrainAll(primary);

        var (states, round) = Read(primary, 5);
        Assert.Empty(states);
        Assert.True(round);

        primary.Step(Ack(primary, "b", 1) with { ReadContext = 1 });
        Assert.Equal([new ReadState(5, primary.CommitIndex)], Confirmed(primary).States);
    }

    [Fact]
    public void APrimaryRemovingItself_DoesNotCountItselfTowardsItsLease()
    {
        var (primary, _) = LeasePrimary();
        Assert.True(primary.ChangeMembership(new MembershipChange(MembershipChangeKind.Remove, "a")).Accepted);
        DrainAll(primary);
        var latest = Tick(primary, LeaseTicks); // the echoes of the first Replicates lapse

        primary.Step(Echo(primary, "b", 1, latest)); // not of the removal, which would commit it
        DrainAll(primary);
        var (states, round) = Read(primary, 1);

        Assert.Equal(Role.Primary, primary.Role);
        Assert.Empty(states); // with itself counted, a and b would make a majority of three
        Assert.True(round);
    }

    [Fact]
    public void ReadIndexMode_NeverAnswersWithoutARound()
    {
        var primary = NewPrimary();
        var sent = Sent(DrainAll(primary));
        primary.Step(Echo(primary, "b", 1, sent));
        primary.Step(Echo(primary, "c", 1, sent));
        DrainAll(primary);

        var (states, round) = Read(primary, 1);

        Assert.Equal(0, sent);
        Assert.Empty(states);
        Assert.True(round);
    }
}
