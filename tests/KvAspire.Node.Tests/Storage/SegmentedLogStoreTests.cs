using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvAspire.Node.Tests.Storage;

public sealed class SegmentedLogStoreTests : IDisposable
{
    private const long SmallSegments = 4096;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-log-" + Guid.NewGuid().ToString("N"));

    private string LogDirectory => Path.Combine(_directory, "log");

    private SegmentedLogStore Open(long segmentBytes = SmallSegments) =>
        new(_directory, segmentBytes, NullLogger.Instance);

    private static List<Entry> Entries(long from, long to, long term = 1) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new Entry(i, term, new byte[100 + i % 7]))];

    private static void AssertSameEntries(IReadOnlyList<Entry> expected, IReadOnlyList<Entry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            Assert.Equal(expected[i].Term, actual[i].Term);
            Assert.Equal(expected[i].Data.ToArray(), actual[i].Data.ToArray());
        }
    }

    private List<Entry> WriteAndClose(List<Entry> entries, long segmentBytes = SmallSegments)
    {
        using var store = Open(segmentBytes);
        store.Load();
        store.Append(entries);
        store.Flush(durable: true);
        return entries;
    }

    private string[] SegmentFiles() => [.. Directory.GetFiles(LogDirectory).Order()];

    [Fact]
    public void Recovery_ForcesEverySegmentAndBothFoldersToDisk_BeforeTheEntriesCount()
    {
        WriteAndClose(Entries(1, 200));
        var forced = new List<string>();

        using var reopened = new SegmentedLogStore(_directory, SmallSegments, NullLogger.Instance, forced.Add);

        // Written by a process that crashed, the files may be only in the page cache: loading them as durable
        // would let this node acknowledge what a power cut takes back.
        Assert.Equal(SegmentFiles(), forced.Where(File.Exists).Order(StringComparer.Ordinal));
        Assert.Equal([LogDirectory, _directory], forced.Where(Directory.Exists));
    }

    [Fact]
    public void Recovery_ReallyForcesTheFiles_WithoutAFaultInjector()
    {
        WriteAndClose(Entries(1, 50));

        using var reopened = Open();

        Assert.Equal(50, reopened.Load().Count);
    }

    [Fact]
    public void AppendedEntries_AreLoadedBackAfterReopen_AcrossManySegments()
    {
        var written = WriteAndClose(Entries(1, 200));

        using var reopened = Open();

        AssertSameEntries(written, reopened.Load());
        Assert.True(SegmentFiles().Length > 3, "small segments should have rolled");
    }

    [Fact]
    public void TruncateFrom_RemovesTheTail_AcrossSegments_AndAppendsContinueFromThere()
    {
        using (var store = Open())
        {
            store.Load();
            store.Append(Entries(1, 200));
            store.TruncateFrom(37);
            store.Append(Entries(37, 50, term: 2));
            store.Flush(durable: true);
        }

        using var reopened = Open();

        AssertSameEntries([.. Entries(1, 36), .. Entries(37, 50, term: 2)], reopened.Load());
    }

    [Fact]
    public void TruncateFrom_TheFirstIndex_EmptiesTheLog()
    {
        using (var store = Open())
        {
            store.Load();
            store.Append(Entries(1, 100));
            store.TruncateFrom(1);
            store.Append(Entries(1, 3, term: 5));
            store.Flush(durable: true);
        }

        AssertSameEntries(Entries(1, 3, term: 5), Open().Load());
    }

    /// <summary>Generous: how long a test waits for a truncation to go on once the write it waits for has run.</summary>
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void WriteLater_TakesTheRecordsOffTheLoop_TheyReachTheFileWhenItsWriteRuns()
    {
        using (var store = Open(1 << 20))
        {
            store.Load();
            store.Append(Entries(1, 10));

            var work = store.WriteLater();

            Assert.Equal(EntryCodec.FormatHeader.Length, new FileInfo(Assert.Single(SegmentFiles())).Length);
            work.Write!();
            work.Sync();
            Assert.Null(store.WriteLater().Write);
            store.Append(Entries(11, 12));
            var next = store.WriteLater();
            next.Write!();
            next.Sync();
        }

        AssertSameEntries(Entries(1, 12), Open(1 << 20).Load());
    }

    [Fact]
    public async Task TruncateFrom_WaitsForAWriteHandedOut_WhichWouldOtherwiseBringBackWhatItRemoved()
    {
        using (var store = Open(1 << 20))
        {
            store.Load();
            store.Append(Entries(1, 10));
            var work = store.WriteLater();

            var truncation = Task.Run(() =>
            {
                store.TruncateFrom(4);
                store.Append(Entries(4, 5, term: 2));
                store.Flush(durable: true);
            });

            // Were the truncation to run first, the write handed out would put entries 4-10 of term 1 back.
            var first = await Task.WhenAny(truncation, Task.Delay(TimeSpan.FromMilliseconds(300)));
            Assert.NotSame(truncation, first);
            work.Write!();
            await truncation.WaitAsync(WaitTimeout);
        }

        AssertSameEntries([.. Entries(1, 3), .. Entries(4, 5, term: 2)], Open(1 << 20).Load());
    }

    [Fact]
    public async Task Rolling_WaitsForTheWritesHandedOut_AndEveryEntryIsReadBack()
    {
        using (var store = Open())
        {
            store.Load();
            for (var i = 1; i <= 200; i += 10)
            {
                store.Append(Entries(i, i + 9));
                var work = store.WriteLater();
                // The next Append may roll to a new segment, which must find this write done.
                await Task.Run(() =>
                {
                    work.Write?.Invoke();
                    work.Sync();
                }).WaitAsync(WaitTimeout);
            }
        }

        AssertSameEntries(Entries(1, 200), Open().Load());
        Assert.True(SegmentFiles().Length > 3, "small segments should have rolled");
    }

    [Fact]
    public void Append_ThatDoesNotFollowTheLastEntry_Throws()
    {
        using var store = Open();
        store.Load();
        store.Append(Entries(1, 3));

        Assert.Throws<InvalidOperationException>(() => store.Append(Entries(5, 5)));
    }

    [Fact]
    public void TornTail_AtEveryByteOffsetOfTheLastRecord_IsTruncated_KeepingEveryEarlierEntry()
    {
        var written = WriteAndClose(Entries(1, 5), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var full = File.ReadAllBytes(file);
        var lastRecord = EntryCodec.RecordBytes(written[^1]);

        for (var cut = full.Length - lastRecord; cut < full.Length; cut++)
        {
            File.WriteAllBytes(file, full[..cut]);

            using var store = Open();

            AssertSameEntries(written[..^1], store.Load());
            Assert.Equal(full.Length - lastRecord, new FileInfo(file).Length);
        }
    }

    [Fact]
    public void TornTail_IsFollowedByNormalAppends()
    {
        WriteAndClose(Entries(1, 5), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..^3]);

        using (var store = Open(1 << 20))
        {
            store.Load();
            store.Append(Entries(5, 6, term: 2));
            store.Flush(durable: true);
        }

        AssertSameEntries([.. Entries(1, 4), .. Entries(5, 6, term: 2)], Open().Load());
    }

    [Fact]
    public void FlippedBit_InTheMiddleOfASegment_StopsRecovery_NamingFileAndOffset()
    {
        WriteAndClose(Entries(1, 20), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<CorruptLogException>(() => Open());

        Assert.Equal(file, error.File);
        Assert.InRange(error.Offset, 0, bytes.Length / 2);
        Assert.Contains(file, error.Message);
        Assert.Contains("delete its data directory", error.Message);
    }

    [Fact]
    public void FlippedBit_InACompleteLastRecord_IsCorruption_NotATornTail()
    {
        WriteAndClose(Entries(1, 5), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(file, bytes);

        Assert.Throws<CorruptLogException>(() => Open());
    }

    /// <summary>Where each record of <paramref name="written"/> starts in the one segment that holds them.</summary>
    private static int[] RecordOffsets(List<Entry> written)
    {
        var offsets = new int[written.Count];
        var offset = EntryCodec.FormatHeader.Length;
        for (var i = 0; i < written.Count; i++)
        {
            offsets[i] = offset;
            offset += EntryCodec.RecordBytes(written[i]);
        }
        return offsets;
    }

    [Fact]
    public void FlippedBit_InTheLengthOfARecordInTheLastSegment_IsCorruption_NotATornTail()
    {
        var written = WriteAndClose(Entries(1, 20), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var original = File.ReadAllBytes(file);
        var damaged = RecordOffsets(written)[7];

        for (var bit = 0; bit < 32; bit++)
        {
            var bytes = original.ToArray();
            bytes[damaged + bit / 8] ^= (byte)(1 << (bit % 8));
            File.WriteAllBytes(file, bytes);

            var error = Assert.Throws<CorruptLogException>(() => Open());

            Assert.Equal(damaged, error.Offset);
            Assert.Equal(original.Length, new FileInfo(file).Length);
        }
    }

    [Fact]
    public void ZerosAfterTheLastRecord_AreATornTail_AndAreTruncated()
    {
        var written = WriteAndClose(Entries(1, 5), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Append))
            stream.Write(new byte[5000]);

        using var store = Open();

        AssertSameEntries(written, store.Load());
        Assert.Equal(length, new FileInfo(file).Length);
    }

    [Fact]
    public void LastRecord_WhoseSectorsFromABoundaryOnNeverReachedTheDisk_IsATornTail()
    {
        var written = WriteAndClose([.. Entries(1, 3), new Entry(4, 1, Enumerable.Range(0, 2000).Select(i => (byte)(i % 250 + 1)).ToArray())],
            segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var bytes = File.ReadAllBytes(file);
        var last = RecordOffsets(written)[3];
        var boundary = (last / 512 + 2) * 512;
        Array.Clear(bytes, boundary, 512);
        File.WriteAllBytes(file, bytes);

        using var store = Open();

        AssertSameEntries(written[..3], store.Load());
        Assert.Equal(last, new FileInfo(file).Length);
    }

    [Fact]
    public void Hole_InARecordThatASoundRecordFollows_IsCorruption()
    {
        var written = WriteAndClose([new Entry(1, 1, Enumerable.Repeat((byte)7, 3000).ToArray()), .. Entries(2, 4)], segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        var bytes = File.ReadAllBytes(file);
        Array.Clear(bytes, 1024, 512);
        File.WriteAllBytes(file, bytes);

        var error = Assert.Throws<CorruptLogException>(() => Open());

        Assert.Equal(RecordOffsets(written)[0], error.Offset);
    }

    [Fact]
    public void SegmentWithoutTheFormatHeader_IsRefused_NamingTheFormat()
    {
        WriteAndClose(Entries(1, 5), segmentBytes: 1 << 20);
        var file = Assert.Single(SegmentFiles());
        File.WriteAllBytes(file, File.ReadAllBytes(file)[8..]);

        var error = Assert.Throws<CorruptLogException>(() => Open());

        Assert.Equal(0, error.Offset);
        Assert.Contains("record format 2", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-8)]
    public void LastSegment_CaughtWhileBeingCreated_StartsAgainEmpty(int kept)
    {
        WriteAndClose(Entries(1, 200));
        var last = SegmentFiles()[^1];
        var firstIndex = long.Parse(Path.GetFileNameWithoutExtension(last));
        File.WriteAllBytes(last, kept >= 0 ? EntryCodec.FormatHeader[..kept].ToArray() : new byte[-kept]);

        using (var store = Open())
        {
            Assert.Equal(firstIndex - 1, store.Load()[^1].Index);
            store.Append(Entries(firstIndex, firstIndex + 2, term: 2));
            store.Flush(durable: true);
        }

        Assert.Equal(firstIndex + 2, Open().Load()[^1].Index);
    }

    [Fact]
    public void MissingSegment_StopsRecovery_SayingWhichEntriesAreMissing()
    {
        WriteAndClose(Entries(1, 200));
        var files = SegmentFiles();
        File.Delete(files[1]);

        var error = Assert.Throws<CorruptLogException>(() => Open());

        Assert.Equal(files[2], error.File);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void CutShortRecord_InASegmentThatIsNotTheLast_IsCorruption()
    {
        WriteAndClose(Entries(1, 200));
        var first = SegmentFiles()[0];
        File.WriteAllBytes(first, File.ReadAllBytes(first)[..^5]);

        Assert.Throws<CorruptLogException>(() => Open());
    }

    [Fact]
    public void Compact_DeletesWholeSegmentsTheSnapshotCovers_AndRecoveryStartsAfterThem()
    {
        WriteAndClose(Entries(1, 200));
        var before = SegmentFiles();
        using (var store = Open())
        {
            store.Load();
            store.Compact(150);
        }

        var remaining = SegmentFiles();
        using var reopened = Open();
        var recovered = reopened.Load();

        Assert.True(remaining.Length < before.Length);
        Assert.True(recovered[0].Index <= 151, $"recovery starts at {recovered[0].Index}, after the compaction point");
        Assert.Equal(200, recovered[^1].Index);
    }

    [Fact]
    public void Compact_KeepsTheSegmentBeingWritten_EvenWhenTheSnapshotCoversAllOfIt()
    {
        WriteAndClose(Entries(1, 200));
        using (var store = Open())
        {
            store.Load();
            store.Compact(200);
            store.Append(Entries(201, 201));
            store.Flush(durable: true);
        }

        using var reopened = Open();
        Assert.Equal(201, reopened.Load()[^1].Index);
    }

    [Fact]
    public void ResetAfter_DropsTheWholeLog_AndAppendsContinueAfterTheSnapshot()
    {
        WriteAndClose(Entries(1, 50));
        using (var store = Open())
        {
            store.Load();
            store.ResetAfter(1000);
            store.Append(Entries(1001, 1003, term: 4));
            store.Flush(durable: true);
        }

        using var reopened = Open();
        var recovered = reopened.Load();
        Assert.Equal([1001L, 1002L, 1003L], recovered.Select(e => e.Index));
    }

    [Fact]
    public void ResetAfter_ThenCrashBeforeAnyAppend_RecoversAnEmptyLogThatContinuesAfterTheSnapshot()
    {
        WriteAndClose(Entries(1, 50));
        using (var store = Open())
        {
            store.Load();
            store.ResetAfter(1000);
        }

        using var reopened = Open();
        Assert.Empty(reopened.Load());
        Assert.Throws<InvalidOperationException>(() => reopened.Append(Entries(1001, 1001)));
        reopened.ResetAfter(1000);
        reopened.Append(Entries(1001, 1001));
        Assert.Equal(1001, reopened.LastIndex);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
