using KvAspire.Node.StateMachine;
using static KvAspire.Node.Tests.StateMachine.StoreEntries;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>Sorted sets as the state machine applies them: Redis' ZADD rules, order, ranges, errors, and nothing half-done.</summary>
public sealed class SortedSetTests
{
    private readonly StoreEntries _log = new(new KvStore());

    private string Add(string key, ZAddFlags flags, params object[] pairs) =>
        Text(_log.Apply(Op(CommandOp.SortedSetAdd, key, 1000, [100, (byte)flags, .. pairs.Select(p => p is double d ? CommandArgs.Double(d) : p)])));

    private string Do(CommandOp op, string key, params object[] args) => Text(_log.Apply(Op(op, key, 1000, args)));

    private string Read(ReadOp op, string key, params object[] args) => Text(_log.Store.Read(op, key, [.. args.Select(Arg)], 1000));

    private string Range(string key, SortedSetRange range) => Text(_log.Store.Read(ReadOp.ZRange, key, range.ToArgs(), 1000));

    private static SortedSetRange Scores(double min, double max, bool minExclusive = false, bool maxExclusive = false) =>
        new(RangeBy.Score, new ScoreBound(min, minExclusive).Encode(), new ScoreBound(max, maxExclusive).Encode());

    private static SortedSetRange Ranks(long start, long stop) => new(RangeBy.Rank, CommandArgs.Long(start), CommandArgs.Long(stop));

    private static SortedSetRange Members(string min, string max) => new(RangeBy.Lex, CommandArgs.Text(min), CommandArgs.Text(max));

    [Fact]
    public void Add_CountsNewMembers_AndWithChAlsoChangedOnes()
    {
        Assert.Equal("2", Add("z", ZAddFlags.None, 1.0, "a", 2.0, "b"));
        Assert.Equal("0", Add("z", ZAddFlags.None, 5.0, "a"));
        Assert.Equal("3", Add("z", ZAddFlags.Changed, 6.0, "a", 1.0, "c", 1.0, "b"));
        Assert.Equal("1", Add("z", ZAddFlags.None, 1.0, "d", 2.0, "d"));

        Assert.Equal("[b,c,d,a]", Range("z", Ranks(0, -1)));
        Assert.Equal("2", Read(ReadOp.ZScore, "z", "d"));
    }

    [Fact]
    public void Add_NxOnlyAdds_XxOnlyUpdates_AndXxOnAMissingKeyCreatesNothing()
    {
        Add("z", ZAddFlags.None, 1.0, "a");

        Assert.Equal("1", Add("z", ZAddFlags.IfAbsent, 9.0, "a", 2.0, "b"));
        Assert.Equal("1", Add("z", ZAddFlags.IfPresent | ZAddFlags.Changed, 3.0, "a", 3.0, "new"));
        Assert.Equal("0", Add("missing", ZAddFlags.IfPresent, 1.0, "a"));

        Assert.Equal("[b,2,a,3]", Range("z", Ranks(0, -1) with { WithScores = true }));
        Assert.Equal("+none", Read(ReadOp.Type, "missing"));
    }

    [Fact]
    public void Add_GtAndLt_UpdateOnlyInTheirDirection_ButStillAddNewMembers()
    {
        Add("z", ZAddFlags.None, 5.0, "a");

        Assert.Equal("0", Add("z", ZAddFlags.IfGreater | ZAddFlags.Changed, 4.0, "a"));
        Assert.Equal("2", Add("z", ZAddFlags.IfGreater | ZAddFlags.Changed, 6.0, "a", 1.0, "b"));
        Assert.Equal("0", Add("z", ZAddFlags.IfLess | ZAddFlags.Changed, 7.0, "a"));

        Assert.Equal("6", Read(ReadOp.ZScore, "z", "a"));
    }

    [Fact]
    public void Increment_AnswersTheNewScore_OrNilWhenAConditionSkipsIt()
    {
        Assert.Equal("2.5", Add("z", ZAddFlags.Increment, 2.5, "a"));
        Assert.Equal("3.5", Add("z", ZAddFlags.Increment, 1.0, "a"));
        Assert.Equal("(nil)", Add("z", ZAddFlags.Increment | ZAddFlags.IfAbsent, 1.0, "a"));
        Assert.Equal("(nil)", Add("z", ZAddFlags.Increment | ZAddFlags.IfGreater, -1.0, "a"));
        Assert.Equal("(nil)", Add("missing", ZAddFlags.Increment | ZAddFlags.IfPresent, 1.0, "a"));
    }

    [Fact]
    public void Increment_ToNaN_IsRefusedWithRedisText_AndChangesNothing()
    {
        Add("z", ZAddFlags.None, double.PositiveInfinity, "a");
        var revision = _log.Store.Get("z")!.Revision;

        Assert.Equal("-ERR resulting score is not a number (NaN)", Add("z", ZAddFlags.Increment, double.NegativeInfinity, "a"));

        Assert.Equal("inf", Read(ReadOp.ZScore, "z", "a"));
        Assert.Equal(revision, _log.Store.Get("z")!.Revision);
    }

    [Fact]
    public void Members_OfOneScore_AreOrderedByTheirUtf8Bytes_AsRedisOrdersThem()
    {
        // UTF-16's ordinal order puts U+1F600 (a surrogate pair) before U+FFFF; UTF-8's bytes, and Redis, put it after.
        Add("z", ZAddFlags.None, 1.0, "\uffff", 1.0, "\U0001F600", 1.0, "b", 1.0, "", 1.0, "é", 0.0, "z");

        Assert.Equal("[z,,b,é,\uffff,\U0001F600]", Range("z", Ranks(0, -1)));
        Assert.Equal("5", Read(ReadOp.ZRank, "z", "\U0001F600"));
        Assert.Equal("0", Read(ReadOp.ZRevRank, "z", "\U0001F600"));
    }

    [Fact]
    public void ScoreRanges_HonourExclusiveBoundsAndInfinities_AndLimitSkipsFromTheEndWalkedFrom()
    {
        Add("z", ZAddFlags.None, double.NegativeInfinity, "lo", 1.0, "a", 1.0, "b", 2.0, "c", 3.0, "d", double.PositiveInfinity, "hi");

        Assert.Equal("[a,b,c]", Range("z", Scores(1, 2)));
        Assert.Equal("[c]", Range("z", Scores(1, 3, minExclusive: true, maxExclusive: true)));
        Assert.Equal("[lo,a,b,c,d,hi]", Range("z", Scores(double.NegativeInfinity, double.PositiveInfinity)));
        Assert.Equal("[d,c]", Range("z", Scores(1, 3) with { Reverse = true, Offset = 0, Limit = 2 }));
        Assert.Equal("[b,c]", Range("z", Scores(1, 3) with { Offset = 1, Limit = 2 }));
        Assert.Equal("[]", Range("z", Scores(1, 3) with { Offset = -1, Limit = 2 }));
        Assert.Equal("[]", Range("z", Scores(2, 1)));
        Assert.Equal("0", Text(_log.Store.Read(ReadOp.ZCount, "z", Scores(2, 2, minExclusive: true).ToArgs(), 1000)));
        Assert.Equal("4", Text(_log.Store.Read(ReadOp.ZCount, "z", Scores(1, 3).ToArgs(), 1000)));
    }

    [Fact]
    public void RankRanges_ReadAsLrange_AndReversedCountFromTheHighestScore()
    {
        Add("z", ZAddFlags.None, 1.0, "a", 2.0, "b", 3.0, "c", 4.0, "d");

        Assert.Equal("[c,d]", Range("z", Ranks(-2, -1)));
        Assert.Equal("[d,c]", Range("z", Ranks(0, 1) with { Reverse = true }));
        Assert.Equal("[b,a]", Range("z", Ranks(2, 100) with { Reverse = true }));
        Assert.Equal("[]", Range("z", Ranks(3, 1)));
    }

    [Fact]
    public void MemberRanges_ReadRedisItems()
    {
        Add("z", ZAddFlags.None, 0.0, "a", 0.0, "b", 0.0, "c", 0.0, "d");

        Assert.Equal("[b,c]", Range("z", Members("[b", "(d")));
        Assert.Equal("[a,b,c,d]", Range("z", Members("-", "+")));
        Assert.Equal("[]", Range("z", Members("+", "-")));
        Assert.Equal("[d,c]", Range("z", Members("(b", "+") with { Reverse = true }));
        Assert.Equal("3", Text(_log.Store.Read(ReadOp.ZCount, "z", Members("(a", "+").ToArgs(), 1000)));
    }

    [Fact]
    public void Pop_TakesFromEitherEnd_AnswersMembersWithScores_AndDeletesTheEmptiedKey()
    {
        Add("z", ZAddFlags.None, 1.0, "a", 2.0, "b", 3.0, "c");

        Assert.Equal("[a,1]", Do(CommandOp.SortedSetPop, "z", SortedSetOps.Lowest, -1L));
        Assert.Equal("[c,3,b,2]", Do(CommandOp.SortedSetPop, "z", SortedSetOps.Highest, 5L));
        Assert.Equal("+none", Read(ReadOp.Type, "z"));
        Assert.Equal("[]", Do(CommandOp.SortedSetPop, "z", SortedSetOps.Lowest, 2L));
    }

    [Fact]
    public void Remove_AndRemoveRange_CountWhatWentAndDeleteTheEmptiedKey()
    {
        Add("z", ZAddFlags.None, 1.0, "a", 2.0, "b", 3.0, "c", 4.0, "d", 5.0, "e");

        Assert.Equal("1", Do(CommandOp.SortedSetRemove, "z", "a", "a", "none"));
        Assert.Equal("1", Text(_log.Apply(KvCommand.Of(CommandOp.SortedSetRemoveRange, "z", 1000, Ranks(-1, -1).ToArgs()))));
        Assert.Equal("2", Text(_log.Apply(KvCommand.Of(CommandOp.SortedSetRemoveRange, "z", 1000, Scores(2, 4, maxExclusive: true).ToArgs()))));
        Assert.Equal("[d]", Range("z", Ranks(0, -1)));
        Assert.Equal("1", Text(_log.Apply(KvCommand.Of(CommandOp.SortedSetRemoveRange, "z", 1000, Members("-", "+").ToArgs()))));

        Assert.Equal("+none", Read(ReadOp.Type, "z"));
    }

    [Fact]
    public void ReadsOfAMissingKey_AnswerWhatRedisAnswers()
    {
        Assert.Equal("(nil)", Read(ReadOp.ZScore, "none", "a"));
        Assert.Equal("[(nil),(nil)]", Read(ReadOp.ZMScore, "none", "a", "b"));
        Assert.Equal("0", Read(ReadOp.ZCard, "none"));
        Assert.Equal("(nil)", Read(ReadOp.ZRank, "none", "a"));
        Assert.Equal("[]", Range("none", Ranks(0, -1)));
    }

    [Fact]
    public void AKeyOfAnotherKind_IsWrongType_ForEveryOp_AndUnchanged()
    {
        Do(CommandOp.SetAdd, "s", 100, "m");
        const string wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value";

        Assert.Equal(wrongType, Add("s", ZAddFlags.None, 1.0, "a"));
        Assert.Equal(wrongType, Do(CommandOp.SortedSetRemove, "s", "m"));
        Assert.Equal(wrongType, Do(CommandOp.SortedSetPop, "s", SortedSetOps.Lowest, 0L));
        Assert.Equal(wrongType, Text(_log.Apply(KvCommand.Of(CommandOp.SortedSetRemoveRange, "s", 1000, Ranks(0, -1).ToArgs()))));
        Assert.Equal(wrongType, Read(ReadOp.ZScore, "s", "m"));
        Assert.Equal(wrongType, Range("s", Ranks(0, -1)));
        Add("z", ZAddFlags.None, 1.0, "a");
        Assert.Equal(wrongType, Do(CommandOp.SetAdd, "z", 100, "m"));
        Assert.Equal(wrongType, Read(ReadOp.SCard, "z"));

        Assert.Equal("+set", Read(ReadOp.Type, "s"));
        Assert.Equal("+zset", Read(ReadOp.Type, "z"));
    }

    [Fact]
    public void GrowingPastTheCarriedLimit_IsRefused_AndChangesNothing()
    {
        Text(_log.Apply(Op(CommandOp.SortedSetAdd, "z", 1000, 2, (byte)0, CommandArgs.Double(1), "a")));

        var refused = Text(_log.Apply(Op(CommandOp.SortedSetAdd, "z", 1000, 2, (byte)0, CommandArgs.Double(5), "a", CommandArgs.Double(2), "b",
            CommandArgs.Double(3), "c")));

        Assert.StartsWith("-ERR the key would hold more than 2 elements", refused);
        Assert.Equal("[a]", Range("z", Ranks(0, -1)));
        Assert.Equal("1", Read(ReadOp.ZScore, "z", "a"));
    }

    [Fact]
    public void ExpiryAndDeletion_WorkOnSortedSetsAsOnOtherKinds()
    {
        Add("z", ZAddFlags.None, 1.0, "a");
        Do(CommandOp.Expire, "z", 5000L, (byte)0);

        Assert.Equal("5000", Read(ReadOp.PExpireTime, "z"));
        Add("z", ZAddFlags.None, 2.0, "b");
        Assert.Equal("5000", Read(ReadOp.PExpireTime, "z"));
        Assert.Equal("(nil)", Text(_log.Store.Read(ReadOp.ZScore, "z", [Arg("a")], 6000)));
        Assert.Equal("1", Do(CommandOp.Delete, "z"));
        Assert.Equal("0", Read(ReadOp.Exists, "z"));
    }
}
