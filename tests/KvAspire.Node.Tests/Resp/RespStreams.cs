using System.Buffers;
using System.Text;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

/// <summary>Building request streams and reading them back the way the connection handler does.</summary>
internal static class RespStreams
{
    public static readonly RespReadLimits Limits = new(MaxMultibulkLength: 1024, MaxBulkBytes: 1024 * 1024, MaxInlineBytes: 64 * 1024);

    public static byte[] Multibulk(IReadOnlyList<byte[]> args)
    {
        var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes($"*{args.Count}\r\n"));
        foreach (var arg in args)
        {
            stream.Write(Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
            stream.Write(arg);
            stream.Write("\r\n"u8);
        }
        return stream.ToArray();
    }

    /// <summary>One command's arguments, parsed from its wire form as a connection would.</summary>
    public static RespArguments Arguments(params string[] args)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Multibulk(args.Select(Encoding.UTF8.GetBytes).ToList())));
        var arguments = new RespArguments();
        if (RespReader.TryRead(ref reader, arguments, Limits, out var error) != RespReadStatus.Command)
            throw new ArgumentException($"not one command: {error}", nameof(args));
        return arguments;
    }

    public static byte[] Inline(IReadOnlyList<byte[]> args) =>
        [.. args.SelectMany(a => a.Append((byte)' ')).SkipLast(1), (byte)'\r', (byte)'\n'];

    /// <summary>The same bytes as a sequence of segments cut at <paramref name="cuts"/>.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().Append(data.Length).ToList();
        Segment? first = null, last = null;
        var start = 0;
        foreach (var point in points)
        {
            var segment = new Segment(data.AsMemory(start, point - start), last);
            first ??= segment;
            last = segment;
            start = point;
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    /// <summary>
    /// Reads every command, offering the reader only the bytes "arrived" so far (prefixes ending at
    /// each cut), exactly as data trickles in from a socket. Returns the commands and how reading ended.
    /// </summary>
    public static (List<List<byte[]>> Commands, RespReadStatus Last, string? Error) ReadArriving(byte[] data, IEnumerable<int> arrivals)
    {
        var commands = new List<List<byte[]>>();
        var arguments = new RespArguments();
        var consumed = 0;
        foreach (var arrived in arrivals.Where(a => a > 0 && a < data.Length).Distinct().Order().Append(data.Length))
        {
            var available = Segmented(data[consumed..arrived], [(arrived - consumed) / 2]);
            var reader = new SequenceReader<byte>(available);
            while (true)
            {
                var before = reader.Consumed;
                var status = RespReader.TryRead(ref reader, arguments, Limits, out var error);
                // A command that consumed nothing would be read again for ever: a hang, caught here as a failure.
                if (status == RespReadStatus.Command && reader.Consumed == before)
                    throw new InvalidOperationException($"a command was read without consuming a byte, at offset {consumed + before}");
                if (status == RespReadStatus.ProtocolError)
                    return (commands, status, error);
                if (status == RespReadStatus.Incomplete)
                    break;
                commands.Add(Enumerable.Range(0, arguments.Count).Select(arguments.Bytes).ToList());
            }
            consumed += (int)reader.Consumed;
        }
        return (commands, consumed == data.Length ? RespReadStatus.Command : RespReadStatus.Incomplete, null);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
