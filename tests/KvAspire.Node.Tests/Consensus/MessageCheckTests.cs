using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// A peer's message is checked field by field before the core acts on it. Each case below crashed a
/// node, or moved it past its own log, before the checks existed.
/// </summary>
public class MessageCheckTests
{
    public static TheoryData<Message, string> Broken => new()
    {
        { new Replicate("a", "x", 1, 0, 0, [], 0), "wrong_recipient" },
        { new Replicate("not a name", "b", 1, 0, 0, [], 0), "malformed_sender" },
        { new Replicate("", "b", 1, 0, 0, [], 0), "malformed_sender" },
        { new Replicate("b", "b", 1, 0, 0, [], 0), "malformed_sender" },
        { new Replicate("a", "b", 2, 1, 1, [new Entry(2, 1, new byte[] { 0xC1, 1, 0, 9, (byte)'x' })], 0), "malformed_configuration" },
        { new Replicate("a", "b", long.MaxValue, 0, 0, [], 0), "term_out_of_range" },
        { new Replicate("a", "b", -1, 0, 0, [], 0), "term_out_of_range" },
        { new Replicate("a", "b", 2, -1, 0, [], 0), "index_out_of_range" },
        { new Replicate("a", "b", 2, 1, 3, [], 0), "index_out_of_range" },
        { new Replicate("a", "b", 2, 0, 1, [], 0), "index_out_of_range" },
        { new Replicate("a", "b", 2, 1, 1, [], long.MaxValue), "index_out_of_range" },
        { new Replicate("a", "b", 2, 1, 1, [new Entry(2, 1, default), new Entry(4, 1, default)], 0), "entries_not_contiguous" },
        { new Replicate("a", "b", 2, 1, 1, [new Entry(1, 1, default)], 0), "entries_not_contiguous" },
        { new Replicate("a", "b", 2, 1, 2, [new Entry(2, 1, default)], 0), "entry_term_out_of_order" },
        { new Replicate("a", "b", 2, 1, 1, [new Entry(2, 3, default)], 0), "entry_term_out_of_order" },
        { new ReplicateResponse("a", "b", 2, true, -5), "index_out_of_range" },
        { new ReplicateResponse("a", "b", 2, false, 0, 3, long.MaxValue), "index_out_of_range" },
        { new RequestVote("a", "b", 0, 0, 0), "term_out_of_range" },
        { new RequestVote("a", "b", 2, 5, 3), "index_out_of_range" },
        { new InstallSnapshot("a", "b", 2, new SnapshotMarker(0, 0)), "index_out_of_range" },
        { new InstallSnapshot("a", "b", 2, new SnapshotMarker(10, 3)), "index_out_of_range" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenMessage_IsRejected_WithItsReason(Message message, string reason)
    {
        Assert.Equal(reason, MessageCheck.Problem(message, "b")?.Reason);
    }

    [Fact]
    public void EveryMessageARealClusterSends_PassesTheCheck()
    {
        var network = new TestNetwork(3, seed: 7);
        network.ElectPrimary();
        for (var i = 0; i < 20; i++)
            network.Propose(network.Primary.Id, $"v{i}");
        network.Tick(50);

        Assert.NotEmpty(network.Sent);
        foreach (var message in network.Sent)
            Assert.Null(MessageCheck.Problem(message, message.To));
    }

    [Fact]
    public void Secondary_IgnoresNonContiguousEntries_InsteadOfCrashing()
    {
        var secondary = NewRaft("b", term: 1, log: Log(1));
        secondary.Step(new Replicate("a", "b", 1, 1, 1, [new Entry(2, 1, Bytes("x")), new Entry(7, 1, Bytes("y"))], 0));

        Assert.Equal(1, secondary.Log.LastIndex);
        Assert.Equal(1, secondary.RejectedMessages);
    }

    [Fact]
    public void Node_IgnoresATermThatWouldOverflow()
    {
        var secondary = NewRaft("b", term: 3);
        secondary.Step(new RequestVote("a", "b", long.MaxValue, 0, 0));

        Assert.Equal(3, secondary.Term);
        Assert.Equal(1, secondary.RejectedMessages);
    }

    [Fact]
    public void Primary_IgnoresAnAcknowledgementPastItsLog_InsteadOfCrashingOnTheNextHeartbeat()
    {
        var primary = CaughtUpPrimary();
        primary.Step(Ack(primary, "b", 1_000));
        primary.Tick();
        DrainAll(primary);

        Assert.Equal(1, primary.ProgressOf("b")!.Match);
        Assert.Equal(1, primary.RejectedMessages);
    }

    [Fact]
    public void Primary_IgnoresARejectionWhoseHintIsNotBelowTheRejectedIndex()
    {
        var primary = CaughtUpPrimary();
        primary.Propose(Bytes("x"));
        DrainAll(primary);
        primary.Step(new ReplicateResponse("b", "a", primary.Term, Success: false, MatchIndex: 0, RejectedIndex: 1, HintIndex: 40));

        Assert.Equal(1, primary.ProgressOf("b")!.Match);
        Assert.Equal(1, primary.RejectedMessages);
    }

    [Fact]
    public void Primary_IgnoresAReadContextItNeverSent()
    {
        var primary = CaughtUpPrimary();
        Assert.True(primary.ReadIndex(requestId: 1));
        DrainAll(primary);
        primary.Step(new ReplicateResponse("b", "a", primary.Term, Success: true, MatchIndex: 1, ReadContext: 999));

        Assert.Empty(Drain(primary).ReadStates);
        Assert.Equal(1, primary.RejectedMessages);
    }
}
