using KvAspire.Node.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Admin;

public sealed class PeerIsolationTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private PeerIsolation NewIsolation() => new(_time, NullLogger<PeerIsolation>.Instance);

    [Fact]
    public void NewNode_IsNotIsolated()
    {
        using var isolation = NewIsolation();

        Assert.False(isolation.IsIsolated);
        Assert.Null(isolation.IsolatedUntil);
    }

    [Fact]
    public void Isolate_DropsTrafficUntilTheDeadline_ThenHealsByItself()
    {
        using var isolation = NewIsolation();

        var until = isolation.Isolate(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(29.9));
        var stillIsolated = isolation.IsIsolated;
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(_time.GetUtcNow(), until);
        Assert.True(stillIsolated);
        Assert.False(isolation.IsIsolated);
        Assert.Null(isolation.IsolatedUntil);
    }

    [Fact]
    public void IsolateAgain_ReplacesTheDeadline()
    {
        using var isolation = NewIsolation();
        isolation.Isolate(TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(20));

        var until = isolation.Isolate(TimeSpan.FromSeconds(5));

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), until);
        Assert.Equal(until, isolation.IsolatedUntil);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(isolation.IsIsolated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Isolate_RejectsANonPositiveDuration(int seconds)
    {
        using var isolation = NewIsolation();

        Assert.Throws<ArgumentOutOfRangeException>(() => isolation.Isolate(TimeSpan.FromSeconds(seconds)));
        Assert.False(isolation.IsIsolated);
    }
}
