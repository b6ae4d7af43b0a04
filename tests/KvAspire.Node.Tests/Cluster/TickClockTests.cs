using KvAspire.Node.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Cluster;

public sealed class TickClockTests
{
    [Fact]
    public void AfterAPause_EveryTickThatPassed_IsDue_NotOne()
    {
        var time = new FakeTimeProvider();
        var clock = new TickClock(time, TimeSpan.FromMilliseconds(10));

        time.Advance(TimeSpan.FromMilliseconds(25));
        Assert.Equal(2, clock.Due());
        time.Advance(TimeSpan.FromSeconds(5)); // a GC pause or SIGSTOP: the timer would fire once after it

        Assert.Equal(500, clock.Due());
        Assert.Equal(0, clock.Due());
    }
}
