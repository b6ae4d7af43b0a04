using KvAspire.Node.Cluster;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>The tick's sweep answers a client wait the loop has not answered within the shared timeout, and only then.</summary>
public class ClientDeadlinesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ClientDeadlines<string> _deadlines;

    public ClientDeadlinesTests() => _deadlines = new(Timeout, _time, after => $"timed out after {after.TotalSeconds} s");

    private static TaskCompletionSource<string> Waiting() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task AnUnansweredWait_TimesOut_AtTheFirstSweepAfterItsDeadline_NotBefore()
    {
        var wait = _deadlines.Wait(Waiting());

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        _deadlines.Sweep();
        Assert.False(wait.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _deadlines.Sweep();
        Assert.Equal("timed out after 10 s", await wait);
    }

    [Fact]
    public async Task AnAnsweredWait_KeepsTheLoopsAnswer()
    {
        var completion = Waiting();
        var wait = _deadlines.Wait(completion);
        completion.SetResult("written");

        _time.Advance(Timeout);
        _deadlines.Sweep();

        Assert.Equal("written", await wait);
    }

    [Fact]
    public async Task ASweep_TimesOutOnlyTheWaitsThatAreDue_BehindAnsweredOnes()
    {
        var answered = Waiting();
        var kept = _deadlines.Wait(answered);
        var first = _deadlines.Wait(Waiting());
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = _deadlines.Wait(Waiting());
        answered.SetResult("written");

        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        _deadlines.Sweep();

        Assert.Equal("written", await kept);
        Assert.Equal("timed out after 10 s", await first);
        Assert.False(second.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        _deadlines.Sweep();
        Assert.Equal("timed out after 10 s", await second);
    }
}
