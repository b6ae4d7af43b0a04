using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// A snapshot's copy of the store is built beside the host loop while entries go on being applied: it must
/// still be the store exactly as it was when the capture began.
/// </summary>
public sealed class StoreCaptureTests
{
    [Fact]
    public void ChangesAfterTheCaptureBegan_AddsUpdatesAndDeletions_DoNotShowInIt()
    {
        var entries = ExpiryAndRevisionTests.RandomEntries(seed: 11, count: 1_200);
        var store = new KvStore();
        foreach (var entry in entries.Take(600))
            store.Apply(entry);
        var expected = Copy(store);

        var capture = store.BeginCapture();
        foreach (var entry in entries.Skip(600))
            store.Apply(entry);
        var snapshot = capture.Complete();

        Assert.Equal(600, snapshot.AppliedIndex);
        Assert.Equal(expected, Restored(snapshot));
        Assert.NotEqual(expected, ExpiryAndRevisionTests.Describe(store));
    }

    [Fact]
    public async Task CopyBuiltOnAnotherThread_WhileEntriesApply_IsThePointInTime_EveryTime()
    {
        for (var round = 0; round < 20; round++)
        {
            var entries = ExpiryAndRevisionTests.RandomEntries(seed: 100 + round, count: 4_000);
            var store = new KvStore();
            foreach (var entry in entries.Take(2_000))
                store.Apply(entry);
            var expected = Copy(store);

            var capture = store.BeginCapture();
            var building = Task.Run(capture.Complete);
            foreach (var entry in entries.Skip(2_000))
                store.Apply(entry);

            Assert.Equal(expected, Restored(await building));
        }
    }

    [Fact]
    public void ACaptureOverTakenByAnInstalledSnapshot_StillHoldsTheOldPointInTime_AndRecordsNothingOfTheNewStore()
    {
        var entries = ExpiryAndRevisionTests.RandomEntries(seed: 5, count: 900);
        var store = new KvStore();
        foreach (var entry in entries.Take(300))
            store.Apply(entry);
        var expected = Copy(store);
        var capture = store.BeginCapture();

        var other = new KvStore();
        foreach (var entry in entries.Take(600))
            other.Apply(entry);
        store.Restore(other.Capture());
        foreach (var entry in entries.Skip(600))
            store.Apply(entry);

        Assert.Equal(expected, Restored(capture.Complete()));
    }

    [Fact]
    public async Task ACapture_WhileTheStoreGrowsPastSeveralRebuildsAndLosesKeys_IsThePointInTime()
    {
        var store = new KvStore();
        var index = 0L;
        void Apply(KvCommand command) => store.Apply(new Entry(++index, 1, command.Encode()));
        for (var i = 0; i < 5_000; i++)
            Apply(KvCommand.Set("start:" + i, new byte[] { 1 }, null, 1_000));
        var expected = Copy(store);

        var capture = store.BeginCapture();
        var building = Task.Run(capture.Complete);
        // Twenty times as many new keys as there were: the table is rebuilt several times while the copy is walked.
        for (var i = 0; i < 100_000; i++)
            Apply(KvCommand.Set("later:" + i, new byte[] { 2 }, null, 1_000));
        for (var i = 0; i < 5_000; i += 2)
            Apply(KvCommand.Delete("start:" + i, 1_000));
        for (var i = 1; i < 5_000; i += 4)
            Apply(KvCommand.Set("start:" + i, new byte[] { 3 }, null, 1_000));

        Assert.Equal(expected, Restored(await building));
    }

    /// <summary>The state as the canonical text of a store restored from a copy taken now, at once.</summary>
    private static string Copy(KvStore store) => Restored(store.Capture());

    private static string Restored(StoreSnapshot snapshot)
    {
        var restored = new KvStore();
        restored.Restore(snapshot);
        return ExpiryAndRevisionTests.Describe(restored);
    }
}
