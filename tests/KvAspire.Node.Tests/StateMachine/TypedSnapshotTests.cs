using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

public sealed class TypedSnapshotTests
{
    [Fact]
    public void EveryKind_WithDeadlinesAndRevisions_SurvivesASnapshot()
    {
        var store = new KvStore();
        foreach (var entry in ExpiryAndRevisionTests.RandomEntries(seed: 3, count: 500))
            store.Apply(entry);
        var body = new MemoryStream();
        store.Capture().WriteTo(body);

        var restored = new KvStore();
        restored.Restore(StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, store.AppliedIndex, store.AppliedDigest));

        Assert.Equal(ExpiryAndRevisionTests.Describe(store), ExpiryAndRevisionTests.Describe(restored));
        Assert.Equal(store.AppliedDigest, restored.AppliedDigest);
    }

    [Fact]
    public void ASortedSet_SurvivesASnapshot_WithItsOrderScoresAndDeadline()
    {
        var store = new KvStore();
        var log = new StoreEntries(store);
        log.Apply(KvCommand.Of(CommandOp.SortedSetAdd, "z", 1, CommandArgs.Int(100), CommandArgs.Byte(0), CommandArgs.Double(double.NegativeInfinity),
            "lo"u8.ToArray(), CommandArgs.Double(1.1), "b"u8.ToArray(), CommandArgs.Double(1.1), "a"u8.ToArray(), CommandArgs.Double(-0.0), "\U0001F600"u8.ToArray()));
        log.Apply(KvCommand.Of(CommandOp.Expire, "z", 1, CommandArgs.Long(99_000), CommandArgs.Byte(0)));
        var body = new MemoryStream();
        store.Capture().WriteTo(body);

        var restored = new KvStore();
        restored.Restore(StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, store.AppliedIndex, store.AppliedDigest));

        var set = Assert.IsType<SortedSetValue>(restored.Get("z"));
        Assert.Equal(["lo", "\U0001F600", "a", "b"], set.Order.Select(m => m.Member));
        Assert.Equal(1.1, set.Scores["a"]);
        Assert.Equal((store.Get("z")!.Revision, 99_000L), (set.Revision, set.DeadlineMs));
        Assert.Equal(ExpiryAndRevisionTests.Describe(store), ExpiryAndRevisionTests.Describe(restored));
    }

    [Fact]
    public void ABodyInTheFormatBeforeTypes_Loads_AsStringsWithRevisionZeroAndNoDeadline()
    {
        var body = LegacyFormat.SnapshotBody([("a", "1"u8.ToArray(), "application/json"), ("b", [], null)]);

        var snapshot = StoreSnapshot.ReadFrom(new MemoryStream(body), body.Length, 9, 77);

        var items = snapshot.Items.ToDictionary(i => i.Key, i => (StringValue)i.Value);
        Assert.Equal("1"u8.ToArray(), items["a"].Value.ToArray());
        Assert.Equal("application/json", items["a"].ContentType);
        Assert.Null(items["b"].ContentType);
        Assert.All(items.Values, v => Assert.Equal((0L, 0L), (v.Revision, v.DeadlineMs)));
    }

    [Fact]
    public void ABodyWithALyingCount_IsRefused()
    {
        var store = new KvStore();
        store.Apply(new KvAspire.Node.Consensus.Entry(1, 1, KvCommand.Of(CommandOp.SetAdd, "s", 1, CommandArgs.Int(10), "m"u8.ToArray()).Encode()));
        var body = new MemoryStream();
        store.Capture().WriteTo(body);
        var bytes = body.ToArray();
        bytes[^9] = 0xff; // the member count, read as far more members than the body holds

        Assert.Throws<InvalidDataException>(() => StoreSnapshot.ReadFrom(new MemoryStream(bytes), bytes.Length, 1, 0));
    }
}
