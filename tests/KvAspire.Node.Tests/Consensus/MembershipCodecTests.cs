using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

public class MembershipCodecTests
{
    [Fact]
    public void Configuration_RoundTrips_Sorted()
    {
        var membership = new Membership(["node3", "node1", "node2"], ["node5", "node4"]);

        Assert.True(Membership.TryDecode(membership.Encode(), out var read));

        Assert.Equal(membership, read);
        Assert.Equal(["node1", "node2", "node3"], read.Voters);
        Assert.Equal(["node4", "node5"], read.Learners);
    }

    public static TheoryData<byte[]> Malformed => new()
    {
        Array.Empty<byte>(),
        new byte[] { 0xC1 },
        new byte[] { 0xC1, 0, 0 },                         // no voter
        new byte[] { 0xC1, 1, 0, 5, (byte)'a' },           // cut short
        new byte[] { 0xC1, 1, 0, 1, (byte)'a', 9 },        // trailing byte
        new byte[] { 0xC1, 1, 0, 1, (byte)' ' },           // not a member name
        new byte[] { 0xC1, 1, 1, 1, (byte)'a', 1, (byte)'a' }, // voter and learner at once
        new byte[] { 0xC1, 2, 0, 1, (byte)'a', 1, (byte)'a' }, // the same voter twice
        new byte[] { 0xC1, 16, 0 },                        // more members than a cluster has
        new byte[] { 2, 1, 0, 1, (byte)'a' },              // a command, not a configuration
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedConfiguration_IsRefused(byte[] data)
    {
        Assert.False(Membership.TryDecode(data, out _));
    }

    [Theory]
    [InlineData("node-4")]
    [InlineData("kv-0.kvaspire-peers")]
    [InlineData("a_b")]
    public void MemberNames_LikeDnsLabelsAndPodNames_AreValid(string id) => Assert.True(MemberRules.IsValidId(id));

    [Theory]
    [InlineData("")]
    [InlineData("node 4")]
    [InlineData("nöde")]
    [InlineData("node/4")]
    public void OtherMemberNames_AreInvalid(string id) => Assert.False(MemberRules.IsValidId(id));

    [Fact]
    public void MemberNameLongerThan63Characters_IsInvalid() => Assert.False(MemberRules.IsValidId(new string('a', 64)));
}
