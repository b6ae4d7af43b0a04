using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Tests.StateMachine.StoreEntries;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// Raft §8's de-duplication: a write retried after <c>leadership_lost</c> or <c>timeout</c> with the same idempotency key is
/// applied once. Before it, the retry of a DEL or a SET NX was a second entry that ran again.
/// </summary>
public sealed class IdempotencyTests
{
    private const long Window = 60_000;

    private readonly KvStore _store = new();
    private long _index;

    private ApplyResult Apply(KvCommand command, long term = 1) => _store.Apply(new Entry(++_index, term, command.Encode()));

    private static KvCommand Idempotent(string key, ulong fingerprint, KvCommand write) =>
        Idempotency.Create(key, fingerprint, write.TimestampMs + Window, write);

    [Fact]
    public void ARetriedDelete_AfterTheKeyWasWrittenAgain_DeletesNothing_AndAnswersAsTheFirstDid()
    {
        Apply(KvCommand.Set("cart", "1"u8.ToArray(), null, 1_000));
        var first = Apply(Idempotent("req-1", 7, KvCommand.Delete("cart", 1_001)), term: 2);
        Apply(KvCommand.Set("cart", "2"u8.ToArray(), null, 1_002));

        var retry = Apply(Idempotent("req-1", 7, KvCommand.Delete("cart", 1_003)), term: 3);

        Assert.Equal("2", Text(CommandReply.Of(((StringValue)_store.Get("cart")!).Value.ToArray())));
        Assert.True(first.Existed);
        Assert.Null(first.Repeats);
        Assert.Equal((first.Existed, first.Reply), (retry.Existed, retry.Reply));
        Assert.Equal((2L, 2L), (retry.Repeats!.Index, retry.Repeats.Term));
    }

    [Fact]
    public void ARetriedSetIfAbsent_IsNotRefusedAsIfTheKeyWereSomeoneElses()
    {
        var write = KvCommand.SetIf(CommandOp.SetIfAbsent, "lock", "me"u8.ToArray(), null, 5_000);
        var first = Apply(Idempotent("take-lock", 9, write));

        var retry = Apply(Idempotent("take-lock", 9, write with { TimestampMs = 5_500 }));
        var plainRetry = Apply(write with { TimestampMs = 5_600 });

        Assert.False(first.Existed);
        Assert.False(retry.Existed);
        Assert.Equal(1L, retry.Repeats!.Index);
        Assert.True(plainRetry.Existed); // what the retry answered before idempotency keys: "someone holds it"
        Assert.Equal(1L, _store.Get("lock")!.Revision);
    }

    [Fact]
    public void TheSameKeyForADifferentRequest_IsRefused_AndChangesNothing()
    {
        Apply(Idempotent("req", 1, KvCommand.Set("a", "1"u8.ToArray(), null, 1_000)));

        var reused = Apply(Idempotent("req", 2, KvCommand.Set("a", "2"u8.ToArray(), null, 1_001)));

        Assert.Equal(Idempotency.KeyReused, reused.Reply);
        Assert.Null(reused.Repeats);
        Assert.Equal(1L, _store.Get("a")!.Revision);
        Assert.Equal(1, _store.Records.Count);
    }

    [Fact]
    public void AfterItsWindow_TheKeyIsForgotten_AndAWriteWithItRunsAgain()
    {
        Apply(Idempotent("req", 1, KvCommand.Set("a", "1"u8.ToArray(), null, 1_000)));
        Apply(Idempotent("other", 1, KvCommand.Set("b", "1"u8.ToArray(), null, 1_000 + Window / 2)));

        var late = Apply(Idempotent("req", 1, KvCommand.Set("a", "1"u8.ToArray(), null, 1_000 + Window)));

        Assert.Null(late.Repeats);
        Assert.Equal(3L, _store.Get("a")!.Revision);
        Assert.Equal(3L, _store.Records.Live("req", 1_000 + Window)!.Index);
        Assert.Equal(2, _store.Records.Count);
        // "other" is forgotten by the first idempotent write after its deadline, on every node alike.
        Apply(Idempotent("third", 1, KvCommand.Set("c", "1"u8.ToArray(), null, 1_000 + Window * 3 / 2)));
        Assert.Null(_store.Records.Live("other", long.MinValue));
        Assert.Equal(["req", "third"], _store.Records.Current.Keys.Order());
    }

    [Fact]
    public void ATransactionsAnswer_IsRepeated_AndItsWatchIsNotJudgedAgain()
    {
        Apply(KvCommand.Set("doc", "v1"u8.ToArray(), null, 1_000));
        var compareAndSet = Transaction.Create([KeyValuePair.Create("doc", 1L)],
            [KvCommand.Set("doc", "v2"u8.ToArray(), null, 1_001)], 1_001);
        var first = Apply(Idempotent("cas", 3, compareAndSet));

        var retry = Apply(Idempotent("cas", 3, compareAndSet));

        Assert.Equal("[+OK]", Text(first.Reply));
        Assert.Equal("[+OK]", Text(retry.Reply)); // judged again, the watch would fail: (nil array)
        Assert.Equal(2L, _store.Get("doc")!.Revision);
    }

    [Fact]
    public void Records_SurviveASnapshot_AndARestoredNodeRepeatsTheWrite()
    {
        var write = KvCommand.Delete("k", 2_000);
        Apply(KvCommand.Set("k", "1"u8.ToArray(), null, 1_000));
        Apply(Idempotent("del-k", 5, write), term: 4);
        Apply(KvCommand.Set("k", "2"u8.ToArray(), null, 2_001));

        var restored = RoundTrip(_store);
        var retry = restored.Apply(new Entry(_store.AppliedIndex + 1, 5, Idempotent("del-k", 5, write with { TimestampMs = 2_002 }).Encode()));

        Assert.Equal(_store.Records.Current, restored.Records.Current);
        Assert.Equal((2L, 4L), (retry.Repeats!.Index, retry.Repeats.Term));
        Assert.True(retry.Existed);
        Assert.NotNull(restored.Get("k"));
    }

    [Fact]
    public void ASnapshotWithoutRecords_KeepsTheBodyEarlierVersionsRead()
    {
        Apply(KvCommand.Set("k", "1"u8.ToArray(), null, 1_000));
        var body = new MemoryStream();
        _store.Capture().WriteTo(body);

        Assert.Equal(-2L, BitConverter.ToInt64(body.ToArray(), 0));
        Assert.Empty(RoundTrip(_store).Records.Current);
    }

    [Fact]
    public void ACaptureBegunBeforeAWrite_HoldsTheRecordsAsTheyWere()
    {
        Apply(Idempotent("before", 1, KvCommand.Set("a", "1"u8.ToArray(), null, 1_000)));
        var capture = _store.BeginCapture();
        Apply(Idempotent("after", 1, KvCommand.Set("b", "1"u8.ToArray(), null, 1_001)));

        Assert.Equal(["before"], capture.Complete().Records.Select(r => r.Key));
    }

    [Fact]
    public void EveryKindOfReply_SurvivesASnapshot()
    {
        CommandReply[] replies =
        [
            CommandReply.Ok, CommandReply.Of(-42), CommandReply.Of("bytes"u8.ToArray()), CommandReply.Null, CommandReply.NullArray,
            new CommandReply.Array([CommandReply.Zero, new CommandReply.Array([CommandReply.Null])]), ReplyErrors.WrongType,
        ];
        var records = replies.Select((reply, i) => KeyValuePair.Create($"k{i}", new IdempotencyRecord((ulong)i, i, 1, i % 2 == 0, reply, 9)))
            .Append(KeyValuePair.Create("none", new IdempotencyRecord(ulong.MaxValue, 1, 1, false, null, 9))).ToArray();
        var body = new MemoryStream();
        new StoreSnapshot(1, 0, []) { Records = records }.WriteTo(body);

        var read = StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, 1, 0);

        Assert.Equal(records.Select(r => (r.Key, r.Value.Fingerprint, r.Value.Existed, Text(r.Value.Reply))),
            read.Records.Select(r => (r.Key, r.Value.Fingerprint, r.Value.Existed, Text(r.Value.Reply))));
    }

    [Fact]
    public void ADamagedRecordSection_IsRefusedAsMalformed()
    {
        Apply(Idempotent("req", 1, KvCommand.Set("a", "1"u8.ToArray(), null, 1_000)));
        var body = new MemoryStream();
        _store.Capture().WriteTo(body);
        var bytes = body.ToArray();

        // The body ends in the one record: the count, "req", four numbers, the "existed" flag and the reply +OK (tag, length, text).
        const int reply = 1 + 4 + 2;
        foreach (var damage in new Action<byte[]>[] { b => b[^(reply + 1)] = 9, b => b[^reply] = 200, b => b[^(reply + 1 + 32 + 4 + 3 + 8)] = 0x7f })
        {
            var damaged = (byte[])bytes.Clone();
            damage(damaged);
            Assert.Throws<InvalidDataException>(() => StoreSnapshot.ReadFrom(new MemoryStream(damaged), damaged.Length, 1, 0));
        }
        Assert.Throws<InvalidDataException>(() => StoreSnapshot.ReadFrom(new MemoryStream(bytes[..^1]), bytes.Length - 1, 1, 0));
    }

    [Fact]
    public void AMalformedIdempotentEntry_StopsTheApplyRatherThanGuessing()
    {
        var set = KvCommand.Set("a", "1"u8.ToArray(), null, 1);
        KvCommand[] malformed =
        [
            KvCommand.Of(CommandOp.Idempotent, "a", 1, CommandArgs.Text("k"), CommandArgs.Long(1), set.Encode()),
            KvCommand.Of(CommandOp.Idempotent, "a", 1, CommandArgs.Text("k"), CommandArgs.Int(1), CommandArgs.Long(2), set.Encode()),
            Idempotency.Create("k", 1, 2, Idempotency.Create("k", 1, 2, set)),
            Transaction.Create([], [Idempotency.Create("k", 1, 2, set)], 1),
        ];

        foreach (var command in malformed)
            Assert.Throws<InvalidDataException>(() => new KvStore().Apply(new Entry(1, 1, command.Encode())));
    }

    private static KvStore RoundTrip(KvStore store)
    {
        var body = new MemoryStream();
        store.Capture().WriteTo(body);
        var restored = new KvStore();
        restored.Restore(StoreSnapshot.ReadFrom(new MemoryStream(body.ToArray()), body.Length, store.AppliedIndex, store.AppliedDigest));
        return restored;
    }
}
