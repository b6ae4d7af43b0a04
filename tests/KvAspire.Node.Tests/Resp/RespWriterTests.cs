using System.Buffers;
using System.Text;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

public sealed class RespWriterTests
{
    /// <summary>Errors: each CR and each LF becomes one space, as in Redis; other line separators are not Redis' concern.</summary>
    [Fact]
    public void Replies_HaveTheRespTwoWireFormat()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.WriteSimple(output, "OK");
        RespWriter.WriteError(output, "ERR bad\r\nthing\n\u2028");
        RespWriter.WriteInteger(output, -42);
        RespWriter.WriteBulk(output, "héllo");
        RespWriter.WriteBulk(output, ReadOnlySpan<byte>.Empty);
        RespWriter.WriteNull(output);
        RespWriter.WriteBulkArray(output, ["a", "bc"]);

        Assert.Equal("+OK\r\n-ERR bad  thing \u2028\r\n:-42\r\n$6\r\nhéllo\r\n$0\r\n\r\n$-1\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void LargeBulk_IsWrittenWhole()
    {
        var value = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();

        RespWriter.WriteBulk(output, value);

        var header = Encoding.ASCII.GetBytes("$300000\r\n");
        Assert.Equal([.. header, .. value, (byte)'\r', (byte)'\n'], output.WrittenSpan.ToArray());
    }
}
