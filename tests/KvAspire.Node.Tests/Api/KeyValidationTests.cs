using KvAspire.Node.Api;

namespace KvAspire.Node.Tests.Api;

public sealed class KeyValidationTests
{
    private static readonly LimitsOptions Limits = new() { MaxKeyBytes = 8 };

    [Theory]
    [InlineData("user:1")]
    [InlineData("a/b")]
    [InlineData("12345678")]
    [InlineData("é")]
    public void AcceptsKeysWithinTheLimit(string key) => Assert.Null(KeyValidation.Problem(key, Limits));

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("123456789", "Limits:MaxKeyBytes")]
    [InlineData("éééé\u00e9", "Limits:MaxKeyBytes")]
    public void RejectsBadKeys_WithAMessageSayingWhy(string? key, string expected) =>
        Assert.Contains(expected, KeyValidation.Problem(key, Limits));

    [Fact]
    public void RejectsALoneSurrogate_AsInvalidUnicode() =>
        // Built in code: xunit's serializer would replace a lone surrogate in [InlineData].
        Assert.Contains("Unicode", KeyValidation.Problem(new string('\ud800', 1), Limits));
}
