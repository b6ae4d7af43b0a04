using System.Buffers;
using System.Text;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

/// <summary>The reader's hot path: once a connection's argument arrays are warm, reading commands allocates nothing.</summary>
public sealed class RespReaderAllocationTests
{
    private const int Repeats = 200;

    [Fact]
    public void ReadingAWarmedPipeline_OfSetAndGet_InBothForms_AllocatesNothing()
    {
        var one = Encoding.ASCII.GetBytes(
            "*3\r\n$3\r\nSET\r\n$5\r\nuser1\r\n$11\r\nhello world\r\n*2\r\n$3\r\nGET\r\n$5\r\nuser1\r\nGET user1\r\nSET \"user 2\" 'v'\r\n");
        var data = Enumerable.Repeat(one, Repeats).SelectMany(bytes => bytes).ToArray();
        // Segments cut mid-command, as a socket delivers them: arguments then span segments.
        var pipeline = RespStreams.Segmented(data, Enumerable.Range(1, 40).Select(i => i * data.Length / 41));
        var arguments = new RespArguments();
        ReadAll(pipeline, arguments);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var commands = ReadAll(pipeline, arguments);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(4 * Repeats, commands);
        Assert.Equal(0, allocated);
    }

    private static int ReadAll(ReadOnlySequence<byte> pipeline, RespArguments arguments)
    {
        var reader = new SequenceReader<byte>(pipeline);
        var commands = 0;
        while (RespReader.TryRead(ref reader, arguments, RespStreams.Limits, out _) == RespReadStatus.Command)
            commands++;
        return commands;
    }
}
