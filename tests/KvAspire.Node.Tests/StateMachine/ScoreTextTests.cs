using System.Text;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>Scores read and printed as Redis 7.0 reads and prints them (the values checked against redis-server 7.0.15).</summary>
public sealed class ScoreTextTests
{
    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-2.5", -2.5)]
    [InlineData("+3", 3.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("1E3", 1000.0)]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("-INF", double.NegativeInfinity)]
    [InlineData("+Infinity", double.PositiveInfinity)]
    [InlineData("1e-310", 1e-310)]
    [InlineData("0e-400", 0.0)]
    public void TryParse_ReadsWhatRedisReads(string text, double expected)
    {
        Assert.True(ScoreText.TryParse(Encoding.ASCII.GetBytes(text), out var score));
        Assert.Equal(expected, score);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("abc")]
    [InlineData("nan")]
    [InlineData("1e400")]
    [InlineData("1e-400")]
    [InlineData("1e")]
    [InlineData("0x10")]
    public void TryParse_RefusesWhatRedisRefuses(string text) => Assert.False(ScoreText.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData("(1", 1.0, true)]
    [InlineData("", 0.0, false)]
    [InlineData("(", 0.0, true)]
    [InlineData("( 1", 1.0, true)]
    [InlineData("  2", 2.0, false)]
    [InlineData("1e400", double.PositiveInfinity, false)]
    [InlineData("-inf", double.NegativeInfinity, false)]
    public void TryParseBound_ReadsAsStrtodDoes(string text, double value, bool exclusive)
    {
        Assert.True(ScoreText.TryParseBound(Encoding.ASCII.GetBytes(text), out var bound));
        Assert.Equal(new ScoreBound(value, exclusive), bound);
    }

    [Theory]
    [InlineData(" (1")]
    [InlineData("1 ")]
    [InlineData("nan")]
    [InlineData("[1")]
    public void TryParseBound_RefusesWhatRedisRefuses(string text) => Assert.False(ScoreText.TryParseBound(Encoding.ASCII.GetBytes(text), out _));

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "1.5")]
    [InlineData(1.1, "1.1000000000000001")]
    [InlineData(0.1, "0.10000000000000001")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e-5, "1.0000000000000001e-05")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(1e-310, "9.9999999999999694e-311")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(-0.0, "0")]
    public void Format_PrintsAsRedis(double score, string expected) => Assert.Equal(expected, ScoreText.Format(score));
}
