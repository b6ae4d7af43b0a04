using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KvAspire.Node.Tests.Storage;

/// <summary>Storage:SnapshotBytes on its own triggers a snapshot, and the count starts again after one.</summary>
public sealed class SnapshotSchedulerTests : IDisposable
{
    private const int ValueBytes = 400;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-scheduler-" + Guid.NewGuid().ToString("N"));
    private readonly KvStore _store = new();
    private readonly List<SnapshotMetadata> _saved = [];
    private readonly SnapshotScheduler _scheduler;
    private long _lastIndex;

    public SnapshotSchedulerTests()
    {
        var options = new StorageOptions { DataDirectory = _directory, SnapshotEntries = 1_000, SnapshotBytes = 1_000 };
        _scheduler = new SnapshotScheduler(new FileSnapshotStore(_directory), options, saved =>
        {
            lock (_saved)
                _saved.Add(saved);
        }, (_, _) => { }, NullLogger.Instance, TimeProvider.System);
    }

    [Fact]
    public async Task FewerEntriesThanSnapshotEntries_ButMoreBytesThanSnapshotBytes_TakeASnapshot_AndTheCountersStartAgain()
    {
        await ApplyAsync(2); // 2 entries, ~800 bytes: neither limit reached
        Assert.Empty(Saved());

        await ApplyAsync(1); // 3 entries, ~1,200 bytes: past SnapshotBytes
        Assert.Equal([3L], Saved().Select(s => s.Index));

        await ApplyAsync(2); // ~800 bytes since that snapshot: the earlier bytes no longer count
        Assert.Single(Saved());

        await ApplyAsync(1);
        Assert.Equal([3L, 6L], Saved().Select(s => s.Index));
    }

    /// <summary>Applies <paramref name="count"/> entries of a little over <see cref="ValueBytes"/> bytes each,
    /// as the host loop does, and waits for any snapshot that started.</summary>
    private async Task ApplyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _lastIndex++;
            var data = KvCommand.Set($"key-{_lastIndex}", new byte[ValueBytes], null, timestampMs: 0).Encode();
            var entry = new Entry(_lastIndex, 1, data);
            _store.Apply(entry);
            _scheduler.Applied(entry);
        }
        _scheduler.MaybeStart(_store, _ => 1);
        await _scheduler.WhenIdle();
    }

    private List<SnapshotMetadata> Saved()
    {
        lock (_saved)
            return [.. _saved];
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
