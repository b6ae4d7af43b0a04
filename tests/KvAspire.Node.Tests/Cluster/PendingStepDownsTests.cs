using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Tests.Consensus;

namespace KvAspire.Node.Tests.Cluster;

public sealed class PendingStepDownsTests
{
    [Fact]
    public async Task StepDown_CompletesWithTheNewPrimary_OnceItIsKnown()
    {
        var network = new TestNetwork(3, seed: 8);
        var primary = network.ElectPrimary();
        var stepDowns = new PendingStepDowns();
        var completion = new TaskCompletionSource<StepDownOutcome>();

        stepDowns.Start(primary, null, completion);
        stepDowns.Update(primary);
        Assert.False(completion.Task.IsCompleted);
        network.Deliver();
        stepDowns.Update(primary);

        var transferred = Assert.IsType<StepDownOutcome.Transferred>(await completion.Task);
        Assert.Equal(network.Primary.Id, transferred.Primary);
        Assert.NotEqual(primary.Id, transferred.Primary);
    }

    [Fact]
    public async Task StepDown_OnASecondary_OrToAnUnknownNode_CompletesAtOnce()
    {
        var network = new TestNetwork(3, seed: 9);
        var primary = network.ElectPrimary();
        var secondary = network.Live.First(r => r.Role == Role.Secondary);
        var stepDowns = new PendingStepDowns();
        var notPrimary = new TaskCompletionSource<StepDownOutcome>();
        var unknown = new TaskCompletionSource<StepDownOutcome>();

        stepDowns.Start(secondary, null, notPrimary);
        stepDowns.Start(primary, "nope", unknown);

        Assert.Equal(new StepDownOutcome.NotPrimary(primary.Id, primary.Term), await notPrimary.Task);
        Assert.Equal(new StepDownOutcome.UnknownTarget("nope"), await unknown.Task);
    }

    [Fact]
    public async Task StepDown_IsAbandoned_WhenTheTargetNeverCatchesUp()
    {
        var network = new TestNetwork(3, seed: 10);
        var primary = network.ElectPrimary();
        var target = network.Ids.First(id => id != primary.Id);
        network.Isolate(target);
        var stepDowns = new PendingStepDowns();
        var completion = new TaskCompletionSource<StepDownOutcome>();

        stepDowns.Start(primary, target, completion);
        network.Tick(network.Options.ElectionTicksMin);
        stepDowns.Update(primary);

        Assert.Equal(new StepDownOutcome.Abandoned(target, primary.Term), await completion.Task);
    }
}
