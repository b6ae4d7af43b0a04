using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Tests.StateMachine.StoreEntries;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>
/// Deadlines and revisions in the state machine. Applying never reads a clock: "now" is the timestamp in
/// each entry, so these tests choose it, and nothing leaves the store unless an entry deletes it.
/// </summary>
public sealed class ExpiryAndRevisionTests
{
    private readonly StoreEntries _log = new(new KvStore());

    private static KvCommand SetExpiring(string key, long deadline, long now, SetFlags flags = SetFlags.None) =>
        new(CommandOp.SetWithOptions, key, "v"u8.ToArray(), null, now) { Args = [CommandArgs.Long(deadline), CommandArgs.Byte((byte)flags)] };

    [Fact]
    public void AKeyPastItsDeadline_IsAbsentToLaterEntries_ButStaysStoredUntilDeleted()
    {
        _log.Apply(SetExpiring("k", deadline: 2000, now: 1000));

        var beforeDeadline = _log.Apply(SetExpiring("k", 5000, now: 1999, SetFlags.IfAbsent));
        var afterDeadline = _log.Apply(Op(CommandOp.IncrementBy, "k", 2000, 1L));

        Assert.Equal("(nil)", Text(beforeDeadline));
        Assert.Equal("1", Text(afterDeadline));
        Assert.Equal(0, _log.Store.Get("k")!.DeadlineMs);
    }

    [Fact]
    public void DeleteExpired_DeletesOnlyKeysStillPastTheirDeadline_AtTheEntrysTime()
    {
        _log.Apply(SetExpiring("old", deadline: 2000, now: 1000));
        _log.Apply(SetExpiring("renewed", deadline: 2000, now: 1000));
        _log.Apply(SetExpiring("renewed", deadline: 9000, now: 1500));

        var early = _log.Apply(Op(CommandOp.DeleteExpired, "", 1999, "old", "renewed"));
        Assert.NotNull(_log.Store.Get("old"));
        var late = _log.Apply(Op(CommandOp.DeleteExpired, "", 2000, "old", "renewed", "missing"));

        Assert.Equal("0", Text(early));
        Assert.Equal("1", Text(late));
        Assert.Null(_log.Store.Get("old"));
        Assert.NotNull(_log.Store.Get("renewed"));
    }

    [Fact]
    public void KeysWithDeadline_FollowsEveryWayADeadlineComesAndGoes_AndSurvivesASnapshot()
    {
        _log.Apply(SetExpiring("a", deadline: 5000, now: 1000));
        _log.Apply(SetExpiring("b", deadline: 5000, now: 1000));
        _log.Apply(KvCommand.Set("c", "v"u8.ToArray(), null, 1000));
        _log.Apply(Op(CommandOp.Expire, "c", 1000, 5000L, (byte)ExpireCondition.Always));
        Assert.Equal(3, _log.Store.KeysWithDeadline);

        _log.Apply(SetExpiring("a", deadline: 6000, now: 1000));
        _log.Apply(Op(CommandOp.Persist, "b", 1000));
        _log.Apply(KvCommand.Set("plain", "v"u8.ToArray(), null, 1000));
        Assert.Equal(2, _log.Store.KeysWithDeadline);

        _log.Apply(KvCommand.Set("a", "v"u8.ToArray(), null, 1000));
        _log.Apply(Op(CommandOp.DeleteExpired, "", 5000, "c"));
        Assert.Equal(0, _log.Store.KeysWithDeadline);

        _log.Apply(SetExpiring("d", deadline: 9000, now: 1000));
        var restored = new KvStore();
        restored.Restore(_log.Store.Capture());
        Assert.Equal(1, restored.KeysWithDeadline);
        Assert.Equal(1, _log.Store.KeysWithDeadline);
    }

    [Fact]
    public void Expire_HonoursNxXxGtLt_AndAPastDeadlineDeletes()
    {
        _log.Apply(KvCommand.Set("k", "v"u8.ToArray(), null, 1000));

        Assert.Equal("0", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 5000L, (byte)ExpireCondition.IfSome))));
        Assert.Equal("0", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 5000L, (byte)ExpireCondition.IfLater))));
        Assert.Equal("1", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 5000L, (byte)ExpireCondition.IfEarlier))));
        Assert.Equal("0", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 4000L, (byte)ExpireCondition.IfLater))));
        Assert.Equal("1", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 6000L, (byte)(ExpireCondition.IfSome | ExpireCondition.IfLater)))));
        Assert.Equal("0", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 7000L, (byte)ExpireCondition.IfNone))));
        Assert.Equal(6000, _log.Store.Get("k")!.DeadlineMs);
        Assert.Equal("1", Text(_log.Apply(Op(CommandOp.Persist, "k", 1000))));
        Assert.Equal("1", Text(_log.Apply(Op(CommandOp.Expire, "k", 1000, 999L, (byte)0))));
        Assert.Null(_log.Store.Get("k"));
    }

    [Fact]
    public void TimeLeft_IsReadAgainstTheReadersClock()
    {
        _log.Apply(SetExpiring("k", deadline: 10_400, now: 1000));

        Assert.Equal("9", Text(_log.Store.Read(ReadOp.Ttl, "k", [], 1000)));
        Assert.Equal("9400", Text(_log.Store.Read(ReadOp.PTtl, "k", [], 1000)));
        Assert.Equal("10", Text(_log.Store.Read(ReadOp.ExpireTime, "k", [], 1000)));
        Assert.Equal("-2", Text(_log.Store.Read(ReadOp.Ttl, "k", [], 10_400)));
        Assert.Equal("-2", Text(_log.Store.Read(ReadOp.Ttl, "missing", [], 1000)));
    }

    [Fact]
    public void Revision_IsTheIndexOfTheLastChange_AndZeroForEntriesInTheOldFormat()
    {
        _log.Apply(LegacyFormat.Set("legacy", "v"u8.ToArray(), null, 1));
        _log.Apply(KvCommand.Set("k", "v"u8.ToArray(), null, 1));
        _log.Apply(KvCommand.Set("other", "v"u8.ToArray(), null, 1));

        Assert.Equal(0, _log.Store.Get("legacy")!.Revision);
        Assert.Equal(2, _log.Store.Get("k")!.Revision);
    }

    [Fact]
    public void Transaction_AppliesEveryCommand_OnlyIfNoWatchedKeyChanged()
    {
        _log.Apply(KvCommand.Set("k", "1"u8.ToArray(), null, 1));
        var watched = Transaction.RevisionOf(_log.Store.Get("k"));
        KvCommand Transfer() => Transaction.Create([KeyValuePair.Create("k", watched), KeyValuePair.Create("new", Transaction.Absent)],
            [Op(CommandOp.IncrementBy, "k", 1, 10L), Op(CommandOp.Read, "k", 1, (byte)ReadOp.Get)], 1);

        var committed = _log.Apply(Transfer());
        var aborted = _log.Apply(Transfer());

        Assert.Equal("[11,11]", Text(committed));
        Assert.Equal("(nil array)", Text(aborted));
        Assert.Equal("11", Text(_log.Store.Read(ReadOp.Get, "k", [], 1)));
    }

    [Fact]
    public void Transaction_WithAFailingCommand_StillAppliesTheOthers_AsRedisDoes()
    {
        _log.Apply(Op(CommandOp.SetAdd, "set", 1, 100, "m"));

        var reply = _log.Apply(Transaction.Create([], [Op(CommandOp.IncrementBy, "set", 1, 1L), Op(CommandOp.IncrementBy, "n", 1, 1L)], 1));

        Assert.Equal("[-WRONGTYPE Operation against a key holding the wrong kind of value,1]", Text(reply));
    }

    [Fact]
    public void SameEntries_GiveTheSameDigestAndTheSameState_WhateverTheClockSays()
    {
        var entries = RandomEntries(seed: 7, count: 2000);
        var a = new KvStore();
        var b = new KvStore();

        foreach (var entry in entries)
            a.Apply(entry);
        Thread.Sleep(20); // a store that read the clock would now decide differently
        foreach (var entry in entries)
            b.Apply(entry);

        Assert.Equal(a.AppliedDigest, b.AppliedDigest);
        Assert.Equal(Describe(a), Describe(b));
        Assert.NotEmpty(Describe(a));
    }

    internal static List<Entry> RandomEntries(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(1, count).Select(i => new Entry(i, 1, RandomCommands.Next(random, 1000L + i, i).Encode())).ToList();
    }

    /// <summary>The whole state in a canonical order: kind, revision, deadline and contents per key, then the idempotency records.</summary>
    internal static string Describe(KvStore store) => string.Join("\n", store.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e =>
        $"{e.Key} {e.Value.Kind} r{e.Value.Revision} d{e.Value.DeadlineMs} " + e.Value switch
        {
            StringValue s => Convert.ToHexString(s.Value.Span),
            HashValue h => string.Join(",", h.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Convert.ToHexString(f.Value))),
            ListValue l => string.Join(",", l.Items.Select(Convert.ToHexString)),
            SetValue set => string.Join(",", set.Members.Order(StringComparer.Ordinal)),
            // The members in order, and whether every one has its score in the dictionary too (the two trees agree).
            SortedSetValue z => string.Join(",", z.Order.Select(m => m.Member + "=" + ScoreText.Format(m.Score)))
                + (z.Order.All(m => z.Scores.TryGetValue(m.Member!, out var s) && s.Equals(m.Score)) && z.Scores.Count == z.Order.Count ? "" : " !"),
            _ => "?",
        }).Concat(store.Records.Current.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
            $"idempotency {r.Key} f{r.Value.Fingerprint} i{r.Value.Index} t{r.Value.Term} d{r.Value.DeadlineMs} e{r.Value.Existed} {Text(r.Value.Reply)}")));
}
