using System.Buffers;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Fuzz;

/// <summary>
/// The RESP request reader as a connection drives it (<see cref="RespReader.TryRead"/>, then the argument
/// accessors the commands use). Control byte: bits 0-1 pick the limits (production, before AUTH, or tiny so
/// every limit is reachable); bits 2-7 pick where the input is cut. The data is parsed twice: once whole
/// (as a two-segment buffer cut there) and once as it would arrive in two reads, the first ending at the cut.
/// Expected: commands, then "incomplete" or a protocol error; both readings agree (but for the one case
/// <see cref="RefusedEarlier"/> describes). Nothing is ever thrown. The commands read are then planned and
/// applied (<see cref="RespPlanCheck"/>), so the data commands' arguments and the state machine are fuzzed too.
/// </summary>
public static class RespTarget
{
    private static readonly RespReadLimits Production = new(1024 * 1024, 16 * 1024 * 1024, 64 * 1024);
    private static readonly RespReadLimits Tiny = new(MaxMultibulkLength: 4, MaxBulkBytes: 16, MaxInlineBytes: 24);

    public static void Run(ReadOnlySpan<byte> input)
    {
        var control = FuzzTargets.Control(input);
        var data = FuzzTargets.Data(input);
        var limits = (control & 3) switch
        {
            1 => RespReadLimits.BeforeAuthentication(Production),
            2 => Tiny,
            _ => Production,
        };
        var bytes = data.ToArray();
        var cut = FuzzTargets.CutPoint(bytes.Length, control >> 2, 63);

        // One arguments object per reading, reused from command to command as a connection does.
        var whole = Parse(TwoSegments(bytes, cut), limits, new RespArguments());

        // The same bytes in two reads: what the first one holds, then everything from where parsing stopped.
        var arguments = new RespArguments();
        var first = Parse(new ReadOnlySequence<byte>(bytes, 0, cut), limits, arguments);
        var inTwoReads = first.Status == RespReadStatus.ProtocolError
            ? first
            : first.Then(Parse(TwoSegments(bytes, cut).Slice(first.Consumed), limits, arguments));

        if (!whole.SameAs(inTwoReads) && !RefusedEarlier(inTwoReads, whole, bytes))
            throw new FuzzInvariantException($"RESP reads differ when the input arrives cut at {cut}: whole {whole}, in two reads {inTwoReads}");
        RespPlanCheck.Run(whole.Commands);
    }

    /// <summary>
    /// The one way the readings may differ: the first read already held more than the inline limit without
    /// the header's or line's end and was refused, while the whole buffer ends right after that over-long
    /// header's CR and waits for its LF before refusing it. Redis' reader does the same.
    /// </summary>
    private static bool RefusedEarlier(Reading inTwoReads, Reading whole, byte[] bytes) =>
        bytes is [.., (byte)'\r'] && inTwoReads.Status == RespReadStatus.ProtocolError && whole.Status == RespReadStatus.Incomplete &&
        inTwoReads with { Status = RespReadStatus.Incomplete } is var same && same.SameAs(whole);

    private static Reading Parse(ReadOnlySequence<byte> buffer, RespReadLimits limits, RespArguments arguments)
    {
        var commands = new List<byte[][]>();
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            // Like RespConnectionHandler, keep only the position after the last command: on "incomplete" or an
            // error the reader may have moved past skipped empty commands, which the next read skips again.
            var before = reader.Consumed;
            var status = RespReader.TryRead(ref reader, arguments, limits, out var error);
            if (status != RespReadStatus.Command)
            {
                if (status == RespReadStatus.ProtocolError && string.IsNullOrEmpty(error))
                    throw new FuzzInvariantException("a protocol error without its message");
                return new Reading(commands, status, before);
            }
            if (reader.Consumed <= before || arguments.Count == 0)
                throw new FuzzInvariantException($"a command of {arguments.Count} arguments consumed {reader.Consumed - before} bytes");
            commands.Add(UseArguments(arguments));
        }
    }

    /// <summary>Calls every accessor a command handler may call, and copies the arguments out before the buffer moves on.</summary>
    private static byte[][] UseArguments(RespArguments arguments)
    {
        var copies = new byte[arguments.Count][];
        for (var i = 0; i < arguments.Count; i++)
        {
            copies[i] = arguments.Bytes(i);
            _ = arguments.Is(i, "GET"u8);
            _ = arguments.Text(i);
            _ = arguments.TryKey(i, out _);
            _ = arguments.TryInteger(i, out _);
        }
        return copies;
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int cut)
    {
        if (cut == 0 || cut == bytes.Length)
            return new ReadOnlySequence<byte>(bytes);
        var head = new Segment(bytes.AsMemory(0, cut), 0);
        var tail = head.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>What one pass over a buffer read: its commands, how it stopped, and where.</summary>
    private sealed record Reading(List<byte[][]> Commands, RespReadStatus Status, long Consumed)
    {
        public Reading Then(Reading rest) => new([.. Commands, .. rest.Commands], rest.Status, Consumed + rest.Consumed);

        public bool SameAs(Reading other) =>
            Status == other.Status && Consumed == other.Consumed && Commands.Count == other.Commands.Count &&
            Commands.Zip(other.Commands).All(pair => pair.First.Length == pair.Second.Length &&
                pair.First.Zip(pair.Second).All(argument => argument.First.AsSpan().SequenceEqual(argument.Second)));

        public override string ToString() => $"{Commands.Count} commands, then {Status} at {Consumed}";
    }
}
