using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

public sealed class RespGlobTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("user:*", "user:1", true)]
    [InlineData("user:*", "session:1", false)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-b]llo", "hbllo", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("*:*:end", "a:b:end", true)]
    public void Patterns_MatchLikeRedis(string pattern, string text, bool expected) =>
        Assert.Equal(expected, RespGlob.IsMatch(pattern, text));
}
