using System.Net;
using KvAspire.Security;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Security;

public sealed class SecretTests
{
    [Fact]
    public void Secret_MatchesExactlyItsValue()
    {
        var secret = Secret.From("Auth:Password", "correct horse");

        Assert.True(secret.Matches("correct horse"));
        Assert.False(secret.Matches("correct hors"));
        Assert.False(secret.Matches("correct horse "));
        Assert.False(secret.Matches(""));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void UnsetSecret_MatchesNothing(string? value)
    {
        var secret = Secret.From("Auth:Password", value);

        Assert.False(secret.IsSet);
        Assert.False(secret.Matches(""));
    }

    [Fact]
    public void Throttle_BlocksAnAddressAfterMaxFailures_UntilItsWindowEnds()
    {
        var time = new FakeTimeProvider();
        var throttle = new AuthThrottle(maxFailures: 2, TimeSpan.FromMinutes(1), time);
        var address = IPAddress.Parse("198.51.100.4");

        throttle.Failed(address);
        var afterOne = throttle.IsBlocked(address, out _);
        throttle.Failed(address);
        var afterTwo = throttle.IsBlocked(address, out var retryAfter);
        time.Advance(TimeSpan.FromMinutes(1));
        var afterWindow = throttle.IsBlocked(address, out _);

        Assert.False(afterOne);
        Assert.True(afterTwo);
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter);
        Assert.False(afterWindow);
        Assert.False(throttle.IsBlocked(IPAddress.Parse("198.51.100.5"), out _));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("2001:db8::1", false)]
    public void ProtectedMode_CountsOnlyLoopbackAsLocal(string address, bool local) =>
        Assert.Equal(local, AccessControl.IsLocal(IPAddress.Parse(address)));
}
