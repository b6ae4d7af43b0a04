using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>Raft §5.4.2 and Figure 8: a primary commits entries of earlier terms only by committing one of its own.</summary>
public class CommitRuleTests
{
    [Fact]
    public void Primary_DoesNotCommitAnEarlierTermEntry_HeldByAMajority_UntilItsOwnTermEntryIsReplicated()
    {
        // a holds entry 1 from term 1 and wins term 2; its no-op (2, term 2) is durable after the drain.
        var primary = NewPrimary("a", log: Log(1), term: 1);
        DrainAll(primary);
        Assert.Equal(2, primary.Term);
        Assert.Equal(2, primary.Log.LastIndex);

        // Every node now holds entry 1, but it is from term 1: committing it could be undone (Figure 8).
        primary.Step(Ack(primary, "b", 1));
        primary.Step(Ack(primary, "c", 1));
        Assert.Equal(0, primary.CommitIndex);
        Assert.DoesNotContain(DrainAll(primary).OfType<Replicate>(), r => r.CommitIndex > 0);

        // Once a majority holds the term-2 no-op, it and everything before it commit.
        primary.Step(Ack(primary, "b", 2));
        Assert.Equal(2, primary.CommitIndex);
        var ready = Drain(primary);
        Assert.Equal([1L, 2L], ready.CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void Figure8_AnOldTermEntryOnAMajority_IsReplaced_WhenANewerPrimaryWins()
    {
        // Figure 8 (d): s1 replicated (2, term 2) to s2 and s3 as primary of term 4 but did not commit it;
        // s5 with (2, term 3) can still win with votes from nodes whose logs end in term 2.
        var s5 = NewRaft("e", term: 4, log: Log(1, 3), cluster: ["a", "b", "c", "d", "e"]);
        var s2 = NewRaft("b", term: 4, log: Log(1, 2), cluster: ["a", "b", "c", "d", "e"]);

        s2.Step(new RequestVote("e", "b", 5, s5.Log.LastIndex, s5.Log.LastTerm));
        Assert.True(Assert.Single(Drain(s2).Messages.OfType<RequestVoteResponse>()).Granted);

        s2.Step(new Replicate("e", "b", 5, PrevLogIndex: 1, PrevLogTerm: 1, [s5.Log[2]], CommitIndex: 0));
        var ready = Drain(s2);

        Assert.Equal(2, ready.TruncateFrom);
        Assert.Equal(3, s2.Log[2].Term);
    }
}
