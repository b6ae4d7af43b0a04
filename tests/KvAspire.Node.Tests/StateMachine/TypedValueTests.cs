using System.Text;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Tests.StateMachine.StoreEntries;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>Counters, hashes, lists and sets as the state machine applies them: Redis' answers, Redis' errors, nothing half-done.</summary>
public sealed class TypedValueTests
{
    private readonly StoreEntries _log = new(new KvStore());

    private string Do(CommandOp op, string key, params object[] args) => Text(_log.Apply(Op(op, key, 1000, args)));

    private string Read(ReadOp op, string key, params object[] args) =>
        Text(_log.Store.Read(op, key, [.. args.Select(Arg)], 1000));

    [Fact]
    public void IncrementBy_CountsFromZero_AndRefusesNonIntegersAndOverflowWithRedisText()
    {
        Assert.Equal("5", Do(CommandOp.IncrementBy, "n", 5L));
        Assert.Equal("3", Do(CommandOp.IncrementBy, "n", -2L));
        _log.Apply(KvCommand.Set("s", "abc"u8.ToArray(), null, 1000));
        _log.Apply(KvCommand.Set("big", Encoding.ASCII.GetBytes(long.MaxValue.ToString()), null, 1000));

        Assert.Equal("-ERR value is not an integer or out of range", Do(CommandOp.IncrementBy, "s", 1L));
        Assert.Equal("-ERR increment or decrement would overflow", Do(CommandOp.IncrementBy, "big", 1L));
        Assert.Equal(long.MaxValue.ToString(), Read(ReadOp.Get, "big"));
    }

    [Fact]
    public void IncrementByFloat_PrintsLikeRedis()
    {
        Assert.Equal("10.5", Do(CommandOp.IncrementByFloat, "f", "10.5"));
        Assert.Equal("10.6", Do(CommandOp.IncrementByFloat, "f", "0.1"));
        Assert.Equal("5010.6", Do(CommandOp.IncrementByFloat, "f", "5.0e3"));
    }

    [Fact]
    public void AKeyOfAnotherKind_IsWrongType_AndUnchanged()
    {
        Do(CommandOp.ListPush, "list", 100, ListOps.Tail, "a");

        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value", Do(CommandOp.IncrementBy, "list", 1L));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value", Read(ReadOp.Get, "list"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value", Do(CommandOp.HashSet, "list", 100, (byte)0, "f", "v"));
        Assert.Equal("[a]", Read(ReadOp.LRange, "list", 0L, -1L));
    }

    [Fact]
    public void Hash_SetGetDeleteIncrement()
    {
        Assert.Equal("2", Do(CommandOp.HashSet, "h", 100, (byte)0, "a", "1", "b", "2"));
        Assert.Equal("0", Do(CommandOp.HashSet, "h", 100, (byte)0, "a", "3"));
        Assert.Equal("0", Do(CommandOp.HashSet, "h", 100, HashOps.OnlyIfAbsent, "a", "9"));
        Assert.Equal("13", Do(CommandOp.HashIncrementBy, "h", 100, "a", 10L));
        Assert.Equal("13", Read(ReadOp.HGet, "h", "a"));
        Assert.Equal("[13,(nil)]", Read(ReadOp.HMGet, "h", "a", "zz"));
        Assert.Equal("1", Do(CommandOp.HashDelete, "h", "a", "zz"));
        Assert.Equal("1", Read(ReadOp.HLen, "h"));
        Assert.Equal("1", Do(CommandOp.HashDelete, "h", "b"));
        Assert.Equal("+none", Read(ReadOp.Type, "h"));
    }

    [Fact]
    public void List_PushPopRangeRemoveSetTrim()
    {
        Assert.Equal("3", Do(CommandOp.ListPush, "l", 100, ListOps.Head, "a", "b", "c"));
        Assert.Equal("5", Do(CommandOp.ListPush, "l", 100, ListOps.Tail, "x", "a"));
        Assert.Equal("[c,b,a,x,a]", Read(ReadOp.LRange, "l", 0L, -1L));
        Assert.Equal("2", Do(CommandOp.ListRemove, "l", 0L, "a"));
        Assert.Equal("+OK", Do(CommandOp.ListSet, "l", -1L, "y"));
        Assert.Equal("-ERR index out of range", Do(CommandOp.ListSet, "l", 7L, "y"));
        Assert.Equal("-ERR no such key", Do(CommandOp.ListSet, "missing", 0L, "y"));
        Assert.Equal("c", Do(CommandOp.ListPop, "l", ListOps.Head, -1L));
        Assert.Equal("[y,b]", Do(CommandOp.ListPop, "l", ListOps.Tail, 5L));
        Assert.Equal("(nil)", Do(CommandOp.ListPop, "l", ListOps.Tail, -1L));
        Assert.Equal("(nil array)", Do(CommandOp.ListPop, "l", ListOps.Tail, 2L));
        Do(CommandOp.ListPush, "t", 100, ListOps.Tail, "1", "2", "3", "4");
        Assert.Equal("+OK", Do(CommandOp.ListTrim, "t", 1L, -2L));
        Assert.Equal("[2,3]", Read(ReadOp.LRange, "t", 0L, 100L));
        Assert.Equal("3", Read(ReadOp.LIndex, "t", -1L));
    }

    [Fact]
    public void ListRemove_FromTheTail_RemovesTheLastOnes()
    {
        Do(CommandOp.ListPush, "l", 100, ListOps.Tail, "a", "b", "a", "c", "a");

        Assert.Equal("2", Do(CommandOp.ListRemove, "l", -2L, "a"));

        Assert.Equal("[a,b,c]", Read(ReadOp.LRange, "l", 0L, -1L));
    }

    [Fact]
    public void Set_AddRemovePopTheChosenMembers()
    {
        Assert.Equal("3", Do(CommandOp.SetAdd, "s", 100, "a", "b", "c"));
        Assert.Equal("0", Do(CommandOp.SetAdd, "s", 100, "a"));
        Assert.Equal("1", Read(ReadOp.SIsMember, "s", "a"));
        Assert.Equal("[1,0]", Read(ReadOp.SMIsMember, "s", "b", "z"));
        Assert.Equal("1", Do(CommandOp.SetRemove, "s", "a", "z"));
        Assert.Equal("b", Do(CommandOp.SetPop, "s", SetOps.OneMember, "b"));
        Assert.Equal("[c]", Do(CommandOp.SetPop, "s", SetOps.Members, "c", "gone"));
        Assert.Equal("0", Read(ReadOp.SCard, "s"));
    }

    [Fact]
    public void SetPop_OfAMemberAnEarlierPopTook_PopsAnotherMember_AlikeOnEveryNode()
    {
        // Two SPOPs in flight: the primary chose "a" for both from the same view of the set. Redis would answer the
        // second with another member, not nil; every node must pick the same one.
        var first = SetOps.PopEntry("s", null, [Arg("a")], seed: 7, nowMs: 1000);
        var second = SetOps.PopEntry("s", null, [Arg("a")], seed: 8, nowMs: 1000);
        var replicas = new[] { _log, new StoreEntries(new KvStore()) };
        var answers = new List<string>();
        foreach (var replica in replicas)
        {
            replica.Apply(Op(CommandOp.SetAdd, "s", 1000, 100, "a", "b", "c", "d"));
            answers.Add(Text(replica.Apply(first)) + " " + Text(replica.Apply(second)));
        }

        Assert.StartsWith("a ", answers[0]);
        Assert.Matches("^a [bcd]$", answers[0]);
        Assert.Equal(answers[0], answers[1]);
        Assert.Equal("2", Read(ReadOp.SCard, "s"));
    }

    [Fact]
    public void SetPop_WithACount_TakesAsManyAsAreLeft_WhenChosenMembersAreGone()
    {
        Do(CommandOp.SetAdd, "s", 100, "a", "b", "c");
        _log.Apply(SetOps.PopEntry("s", 2, [Arg("a"), Arg("b")], seed: 1, nowMs: 1000));

        var reply = Text(_log.Apply(SetOps.PopEntry("s", 2, [Arg("a"), Arg("b")], seed: 2, nowMs: 1000)));

        Assert.Equal("[c]", reply);
        Assert.Equal("0", Read(ReadOp.SCard, "s"));
    }

    [Fact]
    public void GrowingPastTheCarriedLimit_IsRefused_AndChangesNothing()
    {
        Do(CommandOp.ListPush, "l", 3, ListOps.Tail, "a", "b");

        Assert.StartsWith("-ERR the key would hold more than 3 elements", Do(CommandOp.ListPush, "l", 3, ListOps.Tail, "c", "d"));
        Assert.StartsWith("-ERR the key would hold more than 1 elements", Do(CommandOp.SetAdd, "s", 1, "a", "b"));
        Assert.StartsWith("-ERR the key would hold more than 1 elements", Do(CommandOp.HashSet, "h", 1, (byte)0, "a", "1", "b", "2"));

        Assert.Equal("[a,b]", Read(ReadOp.LRange, "l", 0L, -1L));
        Assert.Equal("+none", Read(ReadOp.Type, "s"));
        Assert.Equal("+none", Read(ReadOp.Type, "h"));
    }

    [Fact]
    public void Append_BeyondTheCarriedSize_IsRefused()
    {
        Assert.Equal("3", Text(_log.Apply(new KvCommand(CommandOp.Append, "a", "abc"u8.ToArray(), null, 1) { Args = [CommandArgs.Int(4)] })));

        var refused = _log.Apply(new KvCommand(CommandOp.Append, "a", "de"u8.ToArray(), null, 1) { Args = [CommandArgs.Int(4)] });

        Assert.Equal("-ERR string exceeds maximum allowed size (proto-max-bulk-len)", Text(refused));
        Assert.Equal("abc", Read(ReadOp.Get, "a"));
    }

    [Fact]
    public void SetManyIfNoneExist_SetsAllOrNone()
    {
        Assert.Equal("1", Do(CommandOp.SetManyIfNoneExist, "", "a", "1", "b", "2"));
        Assert.Equal("0", Do(CommandOp.SetManyIfNoneExist, "", "c", "3", "a", "x"));

        Assert.Equal("[1,2,(nil)]", Read(ReadOp.MGet, "a", "b", "c"));
    }
}
