using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>Time, peers and the loop's own news are taken ahead of client work, however much of it is queued, and a
/// client flood never takes the room peer messages need.</summary>
public class HostInboxTests
{
    private static HostInput.Propose Write() =>
        new([1, 2, 3], Acknowledge.Quorum, new TaskCompletionSource<WriteOutcome>(), Command: null);

    private static HostInput.Deliver Heartbeat() =>
        new(new Replicate("node2", "node1", 3, 0, 0, [], 0), Arrived: 0);

    [Fact]
    public void InputsOfTheFirstLane_AreTakenBeforeClientInputsQueuedEarlier()
    {
        var inbox = new HostInbox(maxInputs: 100_000, maxBytes: 1L << 30);
        for (var i = 0; i < 10_000; i++)
            Assert.True(inbox.TryPostClient(Write()));
        var heartbeat = Heartbeat();
        Assert.True(inbox.TryPost(heartbeat));
        Assert.True(inbox.TryPost(HostInput.Tick.Instance));

        Assert.True(inbox.TryTakeFirst(out var first));
        Assert.True(inbox.TryTakeFirst(out var second));
        Assert.False(inbox.TryTakeFirst(out _));

        Assert.Same(heartbeat, first);
        Assert.Same(HostInput.Tick.Instance, second);
        Assert.True(inbox.HasClientInputs);
        Assert.True(inbox.TryTakeClient(out var client));
        Assert.IsType<HostInput.Propose>(client);
    }

    [Fact]
    public void AFullClientLane_RefusesClients_ButStillTakesPeerMessages()
    {
        var inbox = new HostInbox(maxInputs: 16, maxBytes: 1L << 30);
        for (var i = 0; i < 16; i++)
            Assert.True(inbox.TryPostClient(Write()));

        Assert.False(inbox.TryPostClient(Write()));
        Assert.Equal(16, inbox.QueuedClientInputs);
        Assert.True(inbox.TryPost(Heartbeat()));
    }

    [Fact]
    public void TakingAClientInput_ReturnsItsRoomToTheBudget()
    {
        var inbox = new HostInbox(maxInputs: 16, maxBytes: 1L << 30);
        for (var i = 0; i < 16; i++)
            inbox.TryPostClient(Write());

        Assert.True(inbox.TryTakeClient(out _));

        Assert.Equal(15, inbox.QueuedClientInputs);
        Assert.True(inbox.TryPostClient(Write()));
    }

    [Fact]
    public async Task AClientInput_WakesALoopWaitingOnTheFirstLane()
    {
        var inbox = new HostInbox(maxInputs: 16, maxBytes: 1L << 30);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = inbox.WaitAsync(timeout.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        inbox.TryPostClient(Write());

        Assert.True(await waiting);
        // The wake-up itself is not an input.
        Assert.False(inbox.TryTakeFirst(out _));
        Assert.True(inbox.TryTakeClient(out _));
    }

    [Fact]
    public void AfterCompletion_ClientInputsAreRefused_AndQueuedOnesCanStillBeTaken()
    {
        var inbox = new HostInbox(maxInputs: 16, maxBytes: 1L << 30);
        Assert.True(inbox.TryPostClient(Write()));

        inbox.Complete();

        Assert.False(inbox.TryPostClient(Write()));
        Assert.False(inbox.TryPost(Heartbeat()));
        Assert.True(inbox.TryTakeClient(out _));
    }
}
