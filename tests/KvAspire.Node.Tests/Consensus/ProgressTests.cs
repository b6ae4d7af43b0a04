using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>The primary's view of one secondary: how it backs up after a rejection (etcd-io/raft's Progress).</summary>
public class ProgressTests
{
    [Fact]
    public void Probe_JumpsBackToTheSecondarysLastIndex_WhenItHintsAShorterLog()
    {
        var progress = new Progress(next: 11);

        Assert.True(progress.MaybeDecrease(rejected: 10, hint: 4));

        Assert.Equal(5, progress.Next);
        Assert.True(progress.Probing);
    }

    [Fact]
    public void Probe_BacksUpOneEntry_WhenTheHintIsNotShorter()
    {
        var progress = new Progress(next: 11);

        Assert.True(progress.MaybeDecrease(rejected: 10, hint: 20));

        Assert.Equal(10, progress.Next);
    }

    [Fact]
    public void Probe_NeverBacksUpBelowMatch()
    {
        var progress = new Progress(next: 1);
        progress.MaybeUpdate(3);
        progress.BecomeProbe();
        Assert.Equal(4, progress.Next);

        Assert.True(progress.MaybeDecrease(rejected: 3, hint: 0));

        Assert.Equal(4, progress.Next);
        Assert.Equal(3, progress.Match);
    }

    [Fact]
    public void Probe_IgnoresAStaleRejection()
    {
        var progress = new Progress(next: 11);

        Assert.False(progress.MaybeDecrease(rejected: 7, hint: 2));

        Assert.Equal(11, progress.Next);
    }
}
