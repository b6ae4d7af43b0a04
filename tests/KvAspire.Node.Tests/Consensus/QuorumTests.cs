using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

public class QuorumTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    public void Majority_IsMoreThanHalfOfVoters(int voters, int majority) =>
        Assert.Equal(majority, Quorum.Majority(voters));

    [Theory]
    [InlineData(new long[] { 5 }, 5)]
    [InlineData(new long[] { 5, 3, 1 }, 3)]
    [InlineData(new long[] { 1, 5, 3 }, 3)]
    [InlineData(new long[] { 7, 7, 0 }, 7)]
    [InlineData(new long[] { 9, 0, 0 }, 0)]
    [InlineData(new long[] { 4, 4, 2, 2 }, 2)]
    [InlineData(new long[] { 4, 4, 4, 2 }, 4)]
    [InlineData(new long[] { 3, 7, 5, 4, 6 }, 5)]
    public void CommitIndex_IsTheHighestIndexHeldByAMajority(long[] matchIndexes, long expected) =>
        Assert.Equal(expected, Quorum.CommitIndex(matchIndexes));

    [Fact]
    public void CommitIndex_OfNoVoters_IsZero() =>
        Assert.Equal(0, Quorum.CommitIndex([]));
}
