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
        Assert.Equal(ProgressState.Probe, progress.State);
    }

    [Fact]
    public void Probe_StaysAnswered_OnlyByAnAcknowledgementThatMovesMatch()
    {
        var progress = new Progress(next: 11);
        progress.MaybeUpdate(5);
        progress.BecomeProbe();
        progress.SentEntries(12); // a probe from Match + 1
        Assert.True(progress.IsPaused(maxInflight: 4));

        Assert.False(progress.MaybeUpdate(5)); // an echo of a read round, the probed entries not yet durable
        Assert.True(progress.IsPaused(maxInflight: 4));

        Assert.True(progress.MaybeUpdate(12));
        Assert.Equal(ProgressState.Replicate, progress.State);
        Assert.False(progress.IsPaused(maxInflight: 4));
    }

    [Fact]
    public void Probe_BacksUpOneEntry_WhenTheHintIsNotShorter()
    {
        var progress = new Progress(next: 11);

        Assert.True(progress.MaybeDecrease(rejected: 10, hint: 20));

        Assert.Equal(10, progress.Next);
    }

    [Fact]
    public void RejectionOfAnAcknowledgedEntry_MeansTheSecondaryLostIt_SoMatchDropsToWhatItStillHas()
    {
        // A secondary wiped and restarted empty rejects the heartbeat anchored at the entry it had acknowledged;
        // staying at Match would leave it stuck for ever, probing an entry it no longer has.
        var progress = new Progress(next: 1);
        progress.MaybeUpdate(20);

        Assert.True(progress.MaybeDecrease(rejected: 20, hint: 0));

        Assert.Equal(0, progress.Match);
        Assert.Equal(1, progress.Next);
        Assert.Equal(ProgressState.Probe, progress.State);
    }

    [Fact]
    public void Probe_IgnoresAStaleRejection()
    {
        var progress = new Progress(next: 11);

        Assert.False(progress.MaybeDecrease(rejected: 7, hint: 2));

        Assert.Equal(11, progress.Next);
    }
}
