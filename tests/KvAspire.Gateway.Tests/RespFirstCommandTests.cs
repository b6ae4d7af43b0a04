using System.Buffers;
using System.Text;
using KvAspire.Gateway.Resp;

namespace KvAspire.Gateway.Tests;

public sealed class RespFirstCommandTests
{
    [Theory]
    [InlineData("*3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$6\r\nsecret\r\n", new[] { "AUTH", "default", "secret" })]
    [InlineData("AUTH secret\r\n", new[] { "AUTH", "secret" })]
    [InlineData("*1\r\n$0\r\n\r\n", new[] { "" })]
    public void ACommand_IsIncompleteUntilItsLastByte_ThenReadWhole(string wire, string[] expected)
    {
        var bytes = Encoding.ASCII.GetBytes(wire + "PING\r\n");

        for (var length = 0; length < wire.Length; length++)
            Assert.Equal(RespFirstCommandStatus.Incomplete, RespFirstCommand.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _));
        var status = RespFirstCommand.TryRead(new ReadOnlySequence<byte>(bytes), out var arguments);

        Assert.Equal(RespFirstCommandStatus.Command, status);
        Assert.Equal(expected, arguments);
    }

    [Theory]
    [InlineData("*0\r\n")]
    [InlineData("*11\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("*1\r\n+AUTH\r\n")]
    [InlineData("*1\r\n$16385\r\n")]
    [InlineData("*1\r\n$4\r\nAUTHxx")]
    [InlineData("*x\r\n")]
    [InlineData("\r\n")]
    public void Malformed_OrOverThePreAuthenticationLimits_IsInvalid(string wire) =>
        Assert.Equal(RespFirstCommandStatus.Invalid, RespFirstCommand.TryRead(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(wire)), out _));
}
