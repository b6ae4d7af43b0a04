using System.Text;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Tests.Storage;

public sealed class FileSnapshotStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-snap-" + Guid.NewGuid().ToString("N"));

    private static KvStore StoreWith(int keys)
    {
        var store = new KvStore();
        for (var i = 1; i <= keys; i++)
        {
            var type = i % 2 == 0 ? "application/json" : null;
            store.Apply(new Entry(i, 1, KvCommand.Set($"key:{i}", Encoding.UTF8.GetBytes($"value {i}"), type, i).Encode()));
        }
        return store;
    }

    private SnapshotMetadata Save(KvStore store)
    {
        var snapshot = store.Capture();
        return new FileSnapshotStore(_directory).Save(snapshot.AppliedIndex, 1, snapshot.AppliedDigest, snapshot.WriteTo);
    }

    /// <summary>Reads the newest snapshot's body through, which checks it.</summary>
    private static void Verify(FileSnapshotStore snapshots) => snapshots.ReadBody(snapshots.Latest!, body =>
    {
        body.CopyTo(Stream.Null);
        return 0;
    });

    [Fact]
    public void SavedSnapshot_RestoresTheSameStore_InANewProcess()
    {
        var original = StoreWith(500);
        Save(original);

        var snapshots = new FileSnapshotStore(_directory);
        var latest = snapshots.Latest!;
        var restored = new KvStore();
        restored.Restore(snapshots.ReadStore(latest));

        Assert.Equal(500, latest.Index);
        Assert.Equal(original.AppliedDigest, restored.AppliedDigest);
        Assert.Equal(500, restored.Count);
        Assert.Equal("value 42", Encoding.UTF8.GetString(((StringValue)restored.Get("key:42")!).Value.Span));
        Assert.Equal("application/json", ((StringValue)restored.Get("key:42")!).ContentType);
        Assert.Null(((StringValue)restored.Get("key:41")!).ContentType);
    }

    [Fact]
    public void NewerSnapshot_ReplacesTheOlder_AndLeftoverTempFilesAreRemoved()
    {
        Save(StoreWith(10));
        File.WriteAllText(Path.Combine(_directory, "snapshots", "00000000000000000099-00000000000000000001.snap.tmp"), "interrupted");
        var newer = Save(StoreWith(20));

        var files = Directory.GetFiles(Path.Combine(_directory, "snapshots"));

        Assert.Equal([newer.Path], files);
    }

    [Fact]
    public void TruncatedSnapshot_IsRefused_NamingTheFile()
    {
        var saved = Save(StoreWith(50));
        var bytes = File.ReadAllBytes(saved.Path);
        File.WriteAllBytes(saved.Path, bytes[..^10]);

        var snapshots = new FileSnapshotStore(_directory);
        var error = Assert.Throws<CorruptSnapshotException>(() => Verify(snapshots));

        Assert.Equal(saved.Path, error.File);
        Assert.Contains("delete its data directory", error.Message);
    }

    [Theory]
    [InlineData(-1, 3)]
    [InlineData(-4, 0)]
    public void NegativeBodyLength_InTheHeader_IsRefusedAsCorrupt(long bodyLength, int bodyBytes)
    {
        var directory = Path.Combine(_directory, "snapshots");
        Directory.CreateDirectory(directory);
        var header = new byte[40];
        "KVSNAP01"u8.CopyTo(header);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), 12);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), bodyLength);
        var path = Path.Combine(directory, $"{12:D20}-{3:D20}.snap");
        File.WriteAllBytes(path, [.. header, .. new byte[bodyBytes]]);

        var error = Assert.Throws<CorruptSnapshotException>(() =>
        {
            var snapshots = new FileSnapshotStore(_directory);
            Verify(snapshots);
        });

        Assert.Equal(path, error.File);
    }

    [Fact]
    public void FlippedBit_InASnapshot_IsRefused()
    {
        var saved = Save(StoreWith(50));
        var bytes = File.ReadAllBytes(saved.Path);
        bytes[bytes.Length / 2] ^= 0x04;
        File.WriteAllBytes(saved.Path, bytes);

        var snapshots = new FileSnapshotStore(_directory);

        Assert.Throws<CorruptSnapshotException>(() => Verify(snapshots));
    }

    [Fact]
    public void MalformedBody_IsReportedAsInvalidData_NotACrash()
    {
        var random = new Random(7);
        var refused = 0;
        for (var i = 0; i < 200; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            StoreSnapshot read;
            try
            {
                read = StoreSnapshot.ReadFrom(new MemoryStream(body), body.Length, 1, 0);
            }
            catch (InvalidDataException)
            {
                refused++;
                continue;
            }
            // Whatever is accepted is a real snapshot: written out again, it reads back the same keys.
            using var again = new MemoryStream();
            read.WriteTo(again);
            var reread = StoreSnapshot.ReadFrom(new MemoryStream(again.ToArray()), again.Length, 1, 0);
            Assert.Equal(read.Items.Select(item => item.Key), reread.Items.Select(item => item.Key));
        }
        // Random bytes almost never form a snapshot: nearly every one is refused by name, none crashes.
        Assert.InRange(refused, 190, 200);
    }

    [Fact]
    public void IntactFileWithAMalformedBody_IsRefusedAsCorrupt_NamingTheFile()
    {
        var snapshots = new FileSnapshotStore(_directory);
        var saved = snapshots.Save(5, 1, 0, body => body.Write([1, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0]));

        var error = Assert.Throws<CorruptSnapshotException>(() => snapshots.ReadStore(saved));

        Assert.Equal(saved.Path, error.File);
        Assert.Contains("does not fit", error.Message);
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] file, int size)
    {
        for (var offset = 0; offset < file.Length; offset += size)
        {
            await Task.Yield();
            yield return file.AsMemory(offset, Math.Min(size, file.Length - offset));
        }
    }

    [Fact]
    public async Task ReceivedSnapshot_BecomesLatestOnlyWhenInstalled_AndRestoresTheSameStore()
    {
        var original = StoreWith(300);
        var sent = Save(original);
        var file = File.ReadAllBytes(sent.Path);
        var receiver = new FileSnapshotStore(Path.Combine(_directory, "receiver"));

        var received = await receiver.ReceiveAsync(Chunks(file, 1000), CancellationToken.None);
        Assert.Null(receiver.Latest);

        var installed = receiver.Install(received);
        var restored = new KvStore();
        restored.Restore(receiver.ReadStore(installed));

        Assert.Equal(installed, receiver.Latest);
        Assert.Equal(300, installed.Index);
        Assert.Equal(original.AppliedDigest, restored.AppliedDigest);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "receiver", "snapshots")));
    }

    [Fact]
    public async Task CutOffOrCorruptedTransfer_IsRefused_AndLeavesNoFileBehind()
    {
        var file = File.ReadAllBytes(Save(StoreWith(100)).Path);
        var receiver = new FileSnapshotStore(Path.Combine(_directory, "receiver"));
        var flipped = file.ToArray();
        flipped[flipped.Length / 2] ^= 0x10;

        await Assert.ThrowsAsync<CorruptSnapshotException>(() => receiver.ReceiveAsync(Chunks(file[..^7], 512), CancellationToken.None));
        await Assert.ThrowsAsync<CorruptSnapshotException>(() => receiver.ReceiveAsync(Chunks(flipped, 512), CancellationToken.None));

        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "receiver", "snapshots")));
        Assert.Null(receiver.Latest);
    }

    [Fact]
    public async Task OlderSnapshot_FinishingAfterANewerInstall_IsDiscarded()
    {
        var newer = File.ReadAllBytes(Save(StoreWith(40)).Path);
        var receiver = new FileSnapshotStore(Path.Combine(_directory, "receiver"));
        receiver.Install(await receiver.ReceiveAsync(Chunks(newer, 4096), CancellationToken.None));

        var older = StoreWith(10).Capture();
        var result = receiver.Save(older.AppliedIndex, 1, older.AppliedDigest, older.WriteTo);

        Assert.Equal(40, result.Index);
        Assert.Equal(40, receiver.Latest!.Index);
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "receiver", "snapshots")));
    }

    [Fact]
    public void OpenLatest_ShipsTheFileAsStored()
    {
        var saved = Save(StoreWith(20));

        var (snapshot, stream) = new FileSnapshotStore(_directory).OpenLatest()!.Value;
        using var copy = new MemoryStream();
        using (stream)
            stream.CopyTo(copy);

        Assert.Equal(saved.Index, snapshot.Index);
        Assert.Equal(File.ReadAllBytes(saved.Path), copy.ToArray());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
