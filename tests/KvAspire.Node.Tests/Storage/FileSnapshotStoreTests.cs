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

    [Fact]
    public void SavedSnapshot_RestoresTheSameStore_InANewProcess()
    {
        var original = StoreWith(500);
        Save(original);

        var snapshots = new FileSnapshotStore(_directory);
        var latest = snapshots.Latest!;
        var restored = new KvStore();
        restored.Restore(StoreSnapshot.ReadFrom(snapshots.ReadBody(latest), latest.Index, latest.Digest));

        Assert.Equal(500, latest.Index);
        Assert.Equal(original.AppliedDigest, restored.AppliedDigest);
        Assert.Equal(500, restored.Count);
        Assert.Equal("value 42", Encoding.UTF8.GetString(restored.Get("key:42")!.Value.Span));
        Assert.Equal("application/json", restored.Get("key:42")!.ContentType);
        Assert.Null(restored.Get("key:41")!.ContentType);
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
        var error = Assert.Throws<CorruptSnapshotException>(() => snapshots.ReadBody(snapshots.Latest!));

        Assert.Equal(saved.Path, error.File);
        Assert.Contains("delete its data directory", error.Message);
    }

    [Fact]
    public void FlippedBit_InASnapshot_IsRefused()
    {
        var saved = Save(StoreWith(50));
        var bytes = File.ReadAllBytes(saved.Path);
        bytes[bytes.Length / 2] ^= 0x04;
        File.WriteAllBytes(saved.Path, bytes);

        var snapshots = new FileSnapshotStore(_directory);

        Assert.Throws<CorruptSnapshotException>(() => snapshots.ReadBody(snapshots.Latest!));
    }

    [Fact]
    public void MalformedBody_IsReportedAsInvalidData_NotACrash()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            try
            {
                StoreSnapshot.ReadFrom(body, 1, 0);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
