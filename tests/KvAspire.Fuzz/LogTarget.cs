using System.Buffers.Binary;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvAspire.Fuzz;

/// <summary>
/// Recovery of the replication log (<see cref="SegmentedLogStore"/>'s constructor, which reads every
/// segment with <see cref="EntryCodec.TryRead"/>). Input: two control bytes, then a segment file's content.
/// Control byte 0, bit 0: cut the content into two segment files, at the point control byte 1 picks, the
/// second named after the entries the first holds and given its own format header (so damage before the
/// last segment is reached too).
/// Bit 1: first rewrite every record whose length fits with <see cref="EntryCodec.Write"/>, which gives it
/// a correct checksum, so the fuzzer gets past the CRC to the indexes and the entry data.
/// Expected: the entries, with a torn tail truncated, or <see cref="CorruptLogException"/> naming a
/// segment and an offset inside it. Recovering again after that must give the same entries.
/// </summary>
public static class LogTarget
{
    private const int HeaderBytes = 2;
    private const long SegmentBytes = 1024 * 1024;

    public static void Run(ReadOnlySpan<byte> input)
    {
        var control = FuzzTargets.Control(input);
        var data = FuzzTargets.Data(input, HeaderBytes).ToArray();
        if ((control & 2) != 0)
            RepairChecksums(data);
        var cut = (control & 1) != 0 ? FuzzTargets.CutPoint(data.Length, FuzzTargets.Control(input, 1), 255) : data.Length;

        var directory = FuzzScratch.Directory("log");
        var logDirectory = Path.Combine(directory, "log");
        if (Directory.Exists(logDirectory))
            Directory.Delete(logDirectory, recursive: true);
        Directory.CreateDirectory(logDirectory);
        var lengths = WriteSegments(logDirectory, data, cut);

        long[] recovered;
        try
        {
            recovered = Recover(directory);
        }
        catch (CorruptLogException e)
        {
            if (!lengths.TryGetValue(e.File, out var length) || e.Offset < 0 || e.Offset > length)
                throw new FuzzInvariantException($"the corruption report names offset {e.Offset} of '{e.File}', which is not in a segment");
            return;
        }
        // The first recovery truncated any torn tail on disk; the log now reads back cleanly, and the same.
        var again = Recover(directory);
        if (!recovered.SequenceEqual(again))
            throw new FuzzInvariantException($"recovery is not repeatable: {recovered.Length} entries, then {again.Length}");
    }

    /// <summary>
    /// The indexes of the entries recovered, after checking they run on without a gap; each entry's data
    /// is decoded as the state machine will when it replays them (a Try method: false for garbage).
    /// </summary>
    private static long[] Recover(string directory)
    {
        using var store = new SegmentedLogStore(directory, SegmentBytes, NullLogger.Instance);
        var entries = store.Load();
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0 && entries[i].Index != entries[i - 1].Index + 1)
                throw new FuzzInvariantException($"recovered entry {entries[i].Index} after entry {entries[i - 1].Index}");
            KvCommand.TryDecode(entries[i].Data, out _);
        }
        var last = entries.Count > 0 ? entries[^1].Index : store.LastIndex;
        if (store.LastIndex != last)
            throw new FuzzInvariantException($"the store's last index is {store.LastIndex} but the last entry recovered is {last}");
        return [.. entries.Select(e => e.Index)];
    }

    /// <summary>Re-encodes each record, from the first after the format header, while its length field fits in what remains.</summary>
    private static void RepairChecksums(byte[] data)
    {
        var offset = HeaderLength(data);
        while (data.Length - offset >= EntryCodec.HeaderBytes)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
            if (length < EntryCodec.PayloadFixedBytes || length > data.Length - offset - EntryCodec.HeaderBytes)
                return;
            var payload = data.AsSpan(offset + EntryCodec.HeaderBytes, length);
            var entry = new Entry(BinaryPrimitives.ReadInt64LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
                payload[EntryCodec.PayloadFixedBytes..].ToArray());
            EntryCodec.Write(entry, data.AsSpan(offset));
            offset += EntryCodec.HeaderBytes + length;
        }
    }

    /// <summary>Writes the segment files (the first starts the log at entry 1); returns each file's length.</summary>
    private static Dictionary<string, long> WriteSegments(string logDirectory, byte[] data, int cut)
    {
        var first = SegmentPath(logDirectory, 1);
        var records = RecordsIn(data.AsMemory(0, cut));
        // Both parts would name the same file when the first holds no record: keep the input as one segment then.
        if (cut == data.Length || records == 0)
        {
            File.WriteAllBytes(first, data);
            return new() { [first] = data.Length };
        }
        var second = SegmentPath(logDirectory, 1 + records);
        byte[] secondData = [.. EntryCodec.FormatHeader, .. data[cut..]];
        File.WriteAllBytes(first, data[..cut]);
        File.WriteAllBytes(second, secondData);
        return new() { [first] = cut, [second] = secondData.Length };
    }

    private static int HeaderLength(ReadOnlySpan<byte> data) => data.StartsWith(EntryCodec.FormatHeader) ? EntryCodec.FormatHeader.Length : 0;

    private static long RecordsIn(ReadOnlyMemory<byte> bytes)
    {
        var records = 0L;
        for (var offset = HeaderLength(bytes.Span); EntryCodec.TryRead(bytes[offset..], out _, out var size) == EntryCodec.ReadResult.Ok; offset += size)
            records++;
        return records;
    }

    // The writer's naming (Segment.Create): the first index, 20 digits, ".seg".
    private static string SegmentPath(string logDirectory, long firstIndex) => Path.Combine(logDirectory, $"{firstIndex:D20}.seg");
}
