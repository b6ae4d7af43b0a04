using KvAspire.Node.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Admin;

public sealed class PeerLinkCutsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private PeerLinkCuts NewCuts() => new(_time, NullLogger<PeerLinkCuts>.Instance);

    [Fact]
    public void NewNode_CutsNoLink()
    {
        var cuts = NewCuts();

        Assert.False(cuts.IsCut("node2"));
    }

    [Fact]
    public void Cut_DropsOnlyThatLink_UntilTheDeadline_ThenHealsByItself()
    {
        var cuts = NewCuts();

        var until = cuts.Cut("node2", TimeSpan.FromSeconds(10));
        var duringOther = cuts.IsCut("node3");
        _time.Advance(TimeSpan.FromSeconds(9.9));
        var during = cuts.IsCut("node2");
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(_time.GetUtcNow(), until);
        Assert.True(during);
        Assert.False(duringOther);
        Assert.False(cuts.IsCut("node2"));
    }

    [Fact]
    public void CutAgain_ReplacesThatLinksDeadline_AndKeepsTheOthers()
    {
        var cuts = NewCuts();
        cuts.Cut("node2", TimeSpan.FromSeconds(30));
        cuts.Cut("node3", TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(20));

        cuts.Cut("node2", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(cuts.IsCut("node2"));
        Assert.True(cuts.IsCut("node3"));
    }
}
