using System.Buffers;
using System.Text;
using CsCheck;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

public sealed class RespReaderTests
{
    private static readonly Gen<byte[]> Argument = Gen.Byte.Array[0, 40];
    private static readonly Gen<List<byte[]>> Command = Argument.List[1, 6];
    /// <summary>Inline arguments: printable, no spaces or quotes, never empty (spaces separate them).</summary>
    private static readonly Gen<byte[]> InlineArgument = Gen.Byte[(byte)'a', (byte)'z'].Array[1, 12];
    /// <summary>One command in either form a client may send, with the arguments it carries.</summary>
    private static readonly Gen<(List<byte[]> Args, byte[] Bytes)> AnyCommand = Gen.OneOf(
        Command.Select(c => (Args: c, Bytes: RespStreams.Multibulk(c))),
        InlineArgument.List[1, 5].Select(c => (Args: c, Bytes: RespStreams.Inline(c))));
    /// <summary>Generous: a property case (a few hundred bytes) that takes longer than this has hung.</summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void AnyValidStream_SplitAtAnyBoundaries_ReadsAsTheSameCommands()
    {
        Gen.Select(AnyCommand.List[1, 8], Gen.Int[0, 2000].Array[0, 12]).Sample((commands, cuts) =>
        {
            var data = commands.SelectMany(c => c.Bytes).ToArray();

            var (read, last, error) = ReadArrivingWithin(data, cuts);

            Assert.Null(error);
            Assert.Equal(RespReadStatus.Command, last);
            Assert.Equal(commands.Count, read.Count);
            for (var i = 0; i < commands.Count; i++)
                Assert.Equal(commands[i].Args, read[i]);
        }, iter: 2000);
    }

    [Fact]
    public void EveryByteBoundary_OfOnePipeline_ReadsTheSameCommands()
    {
        var data = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\0\r\nGET k\r\n*1\r\n$4\r\nPING\r\n");

        for (var cut = 0; cut <= data.Length; cut++)
        {
            var (read, last, _) = RespStreams.ReadArriving(data, [cut]);

            Assert.Equal(RespReadStatus.Command, last);
            Assert.Equal(["SET", "GET", "PING"], read.Select(c => Encoding.ASCII.GetString(c[0])));
            Assert.Equal("a\r\nb\0", Encoding.ASCII.GetString(read[0][2]));
        }
    }

    [Fact]
    public void RandomBytes_GiveCommandsOrAnError_NeverAnExceptionOrAHang()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[0, 300].Array[0, 6]).Sample((data, cuts) =>
        {
            var (_, last, error) = ReadArrivingWithin(data, cuts);

            Assert.True(last != RespReadStatus.ProtocolError || error is not null);
        }, iter: 5000);
    }

    [Fact]
    public void MutatedValidStreams_GiveCommandsOrAnError_NeverAnExceptionOrAHang()
    {
        var mutation = Gen.Select(Gen.Int[0, 10_000], Gen.Byte);
        Gen.Select(AnyCommand.List[1, 4], mutation.Array[1, 4], Gen.Int[0, 500].Array[0, 4]).Sample((commands, mutations, cuts) =>
        {
            var data = commands.SelectMany(c => c.Bytes).ToArray();
            foreach (var (at, value) in mutations)
                data[at % data.Length] = value;

            var (read, last, error) = ReadArrivingWithin(data, cuts);

            Assert.True(last != RespReadStatus.ProtocolError || error is not null);
            Assert.True(read.Count <= data.Length, "every command consumes at least one byte");
        }, iter: 5000);
    }

    /// <summary>
    /// <see cref="RespStreams.ReadArriving"/> on a worker, failing the case if it has not finished within
    /// <see cref="CaseTimeout"/>: a reader that loops for ever fails the property instead of hanging the run.
    /// </summary>
    private static (List<List<byte[]>> Commands, RespReadStatus Last, string? Error) ReadArrivingWithin(byte[] data, int[] cuts)
    {
        var reading = Task.Run(() => RespStreams.ReadArriving(data, cuts));
        if (!reading.Wait(CaseTimeout))
            throw new TimeoutException($"reading {data.Length} bytes did not finish within {CaseTimeout.TotalSeconds} s: " +
                Convert.ToHexString(data));
        return reading.Result;
    }

    [Theory]
    [InlineData("*abc\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*2000\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n+PING\r\n", "ERR Protocol error: expected '$', got '+'")]
    [InlineData("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$99999999\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*+1\r\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*01\r\n$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*-0\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("* 1\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1 \r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*\r\n", "ERR Protocol error: invalid multibulk length")]
    [InlineData("*1\r\n$+4\r\nPING\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$04\r\nPING\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$-0\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$\r\n", "ERR Protocol error: invalid bulk length")]
    [InlineData("SET \"unbalanced\r\n", "ERR Protocol error: unbalanced quotes in request")]
    [InlineData("SET \"a\"b\r\n", "ERR Protocol error: unbalanced quotes in request")]
    public void MalformedRequests_GetRedisProtocolErrors(string request, string expected)
    {
        var (_, last, error) = RespStreams.ReadArriving(Encoding.ASCII.GetBytes(request), []);

        Assert.Equal(RespReadStatus.ProtocolError, last);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void InlineLine_LongerThanTheLimit_WithoutANewline_IsAnError()
    {
        var (_, last, error) = RespStreams.ReadArriving(Enumerable.Repeat((byte)'a', 64 * 1024 + 1).ToArray(), []);

        Assert.Equal(RespReadStatus.ProtocolError, last);
        Assert.Equal("ERR Protocol error: too big inline request", error);
    }

    [Fact]
    public void InlineQuotes_AreUnescapedLikeRedis()
    {
        var (read, _, _) = RespStreams.ReadArriving(Encoding.ASCII.GetBytes("SET 'it\\'s' \"a\\x41\\n\\\"\"\r\n"), []);

        var command = Assert.Single(read);
        Assert.Equal(["SET", "it's", "aA\n\""], command.Select(a => Encoding.ASCII.GetString(a)));
    }

    [Fact]
    public void EmptyCommands_AreSkipped()
    {
        // A negative count is an empty command to Redis too: the inline PING after it is still answered.
        var (read, _, _) = RespStreams.ReadArriving(Encoding.ASCII.GetBytes("\r\n*0\r\n   \r\n*-5\r\nPING\r\n"), []);

        Assert.Equal("PING", Encoding.ASCII.GetString(Assert.Single(read)[0]));
    }

    [Fact]
    public void IncompleteInput_LeavesTheReaderWhereItWas()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("*2\r\n$3\r\nGET\r\n$1\r")));

        var status = RespReader.TryRead(ref reader, new RespArguments(), RespStreams.Limits, out _);

        Assert.Equal(RespReadStatus.Incomplete, status);
        Assert.Equal(0, reader.Consumed);
    }
}
