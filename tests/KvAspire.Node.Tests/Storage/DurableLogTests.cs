using System.Collections.Concurrent;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using Microsoft.Extensions.Time.Testing;

namespace KvAspire.Node.Tests.Storage;

/// <summary>
/// The fsync policy against a recording store: under Always the entries of a Ready whose durability may follow are
/// synced beside the loop and reported, while any other Ready waits for the disk, including for what was left unsynced.
/// Under EverySecond entries count as durable once written and an fsync follows within a second; under
/// Never the log asks for no fsync at all.
/// </summary>
public sealed class DurableLogTests : IDisposable
{
    /// <summary>Generous: how long a test waits for the group-commit thread's report.</summary>
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly RecordingStore _store = new();
    private readonly BlockingCollection<(long Index, long Term, Exception? Failure)> _reports = [];
    private readonly FakeTimeProvider _time = new();
    private DurableLog? _opened;

    /// <summary>The log under the default policy, Always, unless a test opened it under another.</summary>
    private DurableLog Log => _opened ??= Open(FsyncPolicy.Always);

    private DurableLog Open(FsyncPolicy policy) =>
        _opened = new DurableLog(_store, policy, _time, (index, term, failure) => _reports.Add((index, term, failure)));

    public void Dispose() => _opened?.Dispose();

    /// <summary>A Ready whose durability may follow: a primary's, or a secondary's under async storage writes.</summary>
    private static Ready Deferrable(long term, params Entry[] entries) => ReadyOf(Role.Primary, term, durabilityMayFollow: true, entries);

    /// <summary>A Ready whose messages may promise what it writes: a vote, a truncation, a secondary's acknowledgement
    /// without async storage writes.</summary>
    private static Ready Promising(long term, params Entry[] entries) => ReadyOf(Role.Secondary, term, durabilityMayFollow: false, entries);

    private static Ready ReadyOf(Role role, long term, bool durabilityMayFollow, params Entry[] entries) => new()
    {
        SoftState = new SoftState(role, term, role == Role.Primary ? "b" : "a", 0),
        EntriesToPersist = entries,
        DurabilityMayFollow = durabilityMayFollow,
    };

    private static Entry EntryAt(long index, long term) => new(index, term, new byte[] { 1 });

    private (long Index, long Term, Exception? Failure) NextReport()
    {
        Assert.True(_reports.TryTake(out var report, ReportTimeout), $"no durability report within {ReportTimeout}");
        return report;
    }

    [Fact]
    public void PrimarysEntries_AreWrittenAtOnce_AndReportedDurableByTheGroupCommit()
    {
        var durableNow = Log.Persist(Deferrable(2, EntryAt(1, 2), EntryAt(2, 2)));

        Assert.False(durableNow);
        Assert.Equal([1, 2], _store.Appended);
        Assert.Equal((2, 2, null), NextReport());
        Assert.Equal(1, _store.BackgroundSyncs);
        Assert.Empty(_store.InlineDurableFlushes);
    }

    [Fact]
    public void ASecondarysEntries_UnderAsyncStorageWrites_AreSyncedBesideTheLoopToo()
    {
        var durableNow = Log.Persist(ReadyOf(Role.Secondary, 2, durabilityMayFollow: true, EntryAt(1, 2)));

        Assert.False(durableNow);
        Assert.Equal((1, 2, null), NextReport());
        Assert.Empty(_store.InlineDurableFlushes);
    }

    [Fact]
    public void APromisingReadysEntries_AreDurableBeforePersistReturns()
    {
        Assert.True(Log.Persist(Promising(2, EntryAt(1, 2))));

        Assert.Equal([true], _store.InlineDurableFlushes);
        Assert.Equal(0, _store.BackgroundSyncs);
    }

    [Fact]
    public void AfterAPrimaryWroteUnsynced_AReadyThatMayPromiseWaitsForTheDisk_EvenWithNothingOfItsOwn()
    {
        Log.Persist(Deferrable(2, EntryAt(1, 2)));
        NextReport();

        // Stepped down: this Ready's acknowledgement or vote may promise entry 1.
        Assert.True(Log.Persist(Promising(3)));

        Assert.Equal([true], _store.InlineDurableFlushes);
        Assert.True(Log.Persist(Promising(3)));
        Assert.Single(_store.InlineDurableFlushes);
    }

    [Fact]
    public void AFailedFsync_IsReportedWithItsException()
    {
        _store.FailSync = true;

        Log.Persist(Deferrable(2, EntryAt(1, 2)));

        Assert.IsType<IOException>(NextReport().Failure);
    }

    [Fact]
    public void EverySecond_EntriesAreDurableOnceWritten_AndAnFsyncFollowsOnceASecondHasPassed()
    {
        var log = Open(FsyncPolicy.EverySecond);

        Assert.True(log.Persist(Deferrable(2, EntryAt(1, 2))));
        Assert.True(log.Persist(Promising(3, EntryAt(2, 3))));

        Assert.Equal([false, false], _store.Flushes); // handed to the operating system, not forced
        Assert.Equal(0, _store.BackgroundSyncs);
        _time.Advance(TimeSpan.FromSeconds(1) - Tick);
        log.OnTick();
        Assert.Empty(_store.InlineDurableFlushes);
        _time.Advance(Tick);
        log.OnTick();
        Assert.Equal([true], _store.InlineDurableFlushes);
        _time.Advance(TimeSpan.FromSeconds(5));
        log.OnTick();
        Assert.Single(_store.InlineDurableFlushes); // nothing new written: nothing to force
    }

    [Fact]
    public void EverySecond_UnderSteadyWrites_ForcesTheLogOnceEverySecond()
    {
        var log = Open(FsyncPolicy.EverySecond);

        for (var i = 1; i <= 30; i++)
        {
            log.Persist(Deferrable(2, EntryAt(i, 2)));
            _time.Advance(Tick);
            log.OnTick();
        }

        Assert.Equal(3, _store.InlineDurableFlushes.Count);
        Assert.Empty(_reports);
    }

    [Fact]
    public void EverySecond_AnEntryAfterAQuietSpell_IsForcedAtTheNextTick()
    {
        var log = Open(FsyncPolicy.EverySecond);
        _time.Advance(TimeSpan.FromMinutes(1));

        log.Persist(Promising(2, EntryAt(1, 2)));
        log.OnTick();

        Assert.Equal([true], _store.InlineDurableFlushes);
    }

    [Fact]
    public void Never_TheLogAsksForNoFsync_WhateverItWritesAndHoweverLongItRuns()
    {
        var log = Open(FsyncPolicy.Never);

        Assert.True(log.Persist(Deferrable(2, EntryAt(1, 2), EntryAt(2, 2))));
        Assert.True(log.Persist(new Ready
        {
            SoftState = new SoftState(Role.Secondary, 3, "b", 0),
            TruncateFrom = 2,
            EntriesToPersist = [EntryAt(2, 3)],
        }));
        for (var i = 0; i < 100; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            log.OnTick();
        }

        Assert.Equal([1, 2, 2], _store.Appended);
        Assert.All(_store.Flushes, durable => Assert.False(durable));
        Assert.Equal(0, _store.BackgroundSyncs);
        Assert.Empty(_reports);
    }

    private sealed class RecordingStore : ILogStore
    {
        private int _backgroundSyncs;

        public List<long> Appended { get; } = [];
        /// <summary>Every <see cref="Flush"/> on the loop, with whether it was asked to force the disk.</summary>
        public List<bool> Flushes { get; } = [];
        public List<bool> InlineDurableFlushes => Flushes.Where(durable => durable).ToList();
        public int BackgroundSyncs => Volatile.Read(ref _backgroundSyncs);
        public bool FailSync { get; set; }
        public long SizeBytes => 0;

        public IReadOnlyList<Entry> Load() => [];
        public void Append(IReadOnlyList<Entry> entries) => Appended.AddRange(entries.Select(e => e.Index));
        public void TruncateFrom(long index) { }
        public void Compact(long through) { }
        public void ResetAfter(long snapshotIndex) { }

        public void Flush(bool durable) => Flushes.Add(durable);

        public LogWrite WriteLater() => new(null, () =>
        {
            if (FailSync)
                throw new IOException("fsync: input/output error");
            Interlocked.Increment(ref _backgroundSyncs);
        });

        public void Dispose() { }
    }
}
