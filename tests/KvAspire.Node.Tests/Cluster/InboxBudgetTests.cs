using KvAspire.Node.Cluster;

namespace KvAspire.Node.Tests.Cluster;

public class InboxBudgetTests
{
    [Fact]
    public void Budget_RefusesPastItsInputCount_AndTakesMoreOnceReleased()
    {
        var budget = new InboxBudget(maxInputs: 2, maxBytes: 1000);
        Assert.True(budget.TryReserve(10));
        Assert.True(budget.TryReserve(10));
        Assert.False(budget.TryReserve(10));
        Assert.Equal(2, budget.QueuedInputs);

        budget.Release(10);
        Assert.True(budget.TryReserve(10));
    }

    [Fact]
    public void Budget_RefusesPastItsBytes()
    {
        var budget = new InboxBudget(maxInputs: 100, maxBytes: 1000);
        Assert.True(budget.TryReserve(600));
        Assert.False(budget.TryReserve(600));
        Assert.True(budget.TryReserve(400));
    }

    [Fact]
    public void AnInputLargerThanTheWholeBudget_StillPassesAlone()
    {
        var budget = new InboxBudget(maxInputs: 100, maxBytes: 1000);
        Assert.True(budget.TryReserve(5000));
        Assert.False(budget.TryReserve(1));
        budget.Release(5000);
        Assert.True(budget.TryReserve(1));
    }
}
