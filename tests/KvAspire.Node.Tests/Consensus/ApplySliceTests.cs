using KvAspire.Node.Consensus;
using static KvAspire.Node.Tests.Consensus.RaftTestKit;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>A long run of committed entries reaches the host in slices, so its loop still ticks in between.</summary>
public class ApplySliceTests
{
    [Fact]
    public void Secondary_CatchingUpOnManyCommittedEntries_GetsThemInSlices_InOrder()
    {
        var options = Options with { MaxCommittedPerReady = 10 };
        var secondary = NewRaft("b", term: 1, options: options);
        var entries = Enumerable.Range(1, 25).Select(i => new Entry(i, 1, Bytes($"e{i}"))).ToArray();
        secondary.Step(new Replicate("a", "b", 1, 0, 0, entries, CommitIndex: 25));

        var slices = new List<int>();
        var applied = new List<long>();
        while (secondary.HasReady)
        {
            var ready = Drain(secondary);
            slices.Add(ready.CommittedEntries.Count);
            applied.AddRange(ready.CommittedEntries.Select(e => e.Index));
        }

        Assert.Equal([10, 10, 5], slices);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), applied);
    }
}
