using StackExchange.Redis;

namespace KvAspire.Node.Tests.DataModel;

/// <summary>What StackExchange.Redis asks of a Redis server, asked of a node: expiry, counters, hashes, lists, sets, sorted sets.</summary>
public sealed class RedisClientTests(RespServer server) : IClassFixture<RespServer>
{
    private readonly IDatabase _db = server.Db;

    private static string Key(string name) => name + ":" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Expiry_SetWithATimeToLive_ExpireAndPersist_AsRedisAnswersThem()
    {
        var key = Key("ttl");

        await _db.StringSetAsync(key, "v", TimeSpan.FromSeconds(30));
        var ttl = await _db.KeyTimeToLiveAsync(key);
        Assert.True(ttl is { TotalSeconds: > 28 and <= 30 }, $"TTL {ttl}");
        Assert.True(await _db.KeyPersistAsync(key));
        Assert.Null(await _db.KeyTimeToLiveAsync(key));
        Assert.True(await _db.KeyExpireAsync(key, TimeSpan.FromMinutes(5)));
        Assert.False(await _db.KeyExpireAsync(key, TimeSpan.FromMinutes(1), ExpireWhen.GreaterThanCurrentExpiry));
        Assert.True(await _db.KeyExpireAsync(key, TimeSpan.FromMinutes(1), ExpireWhen.LessThanCurrentExpiry));
        var expireTime = await _db.KeyExpireTimeAsync(key);
        Assert.True(expireTime > DateTime.UtcNow.AddSeconds(50) && expireTime < DateTime.UtcNow.AddSeconds(61), $"EXPIRETIME {expireTime}");
        Assert.Equal("v", await _db.StringGetSetExpiryAsync(key, TimeSpan.FromSeconds(100)));
        Assert.False(await _db.KeyExpireAsync(Key("missing"), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task AKeyWithAShortTimeToLive_IsGoneOnceItPasses()
    {
        var key = Key("short");

        await _db.StringSetAsync(key, "v", TimeSpan.FromMilliseconds(300));
        Assert.Equal("v", await _db.StringGetAsync(key));
        await Task.Delay(600);

        Assert.True((await _db.StringGetAsync(key)).IsNull);
        Assert.False(await _db.KeyExistsAsync(key));
        Assert.Equal(-2, (long)await _db.ExecuteAsync("PTTL", key));
        Assert.True(await _db.StringSetAsync(key, "again", when: When.NotExists));
    }

    [Fact]
    public async Task Counters_AndStrings()
    {
        var key = Key("counter");

        Assert.Equal(1, await _db.StringIncrementAsync(key));
        Assert.Equal(11, await _db.StringIncrementAsync(key, 10));
        Assert.Equal(8, await _db.StringDecrementAsync(key, 3));
        Assert.Equal(8.5, await _db.StringIncrementAsync(key, 0.5));
        Assert.Equal(4, await _db.StringAppendAsync(key, "0"));
        Assert.Equal(4, await _db.StringLengthAsync(key));
        Assert.Equal("8.50", await _db.StringGetSetAsync(key, "x"));
        var notNumber = await Assert.ThrowsAsync<RedisServerException>(() => _db.StringIncrementAsync(key));
        Assert.Equal("ERR value is not an integer or out of range", notNumber.Message);
        Assert.Equal("x", await _db.StringGetDeleteAsync(key));
        Assert.False(await _db.KeyExistsAsync(key));
        Assert.True(await _db.StringSetAsync([new(key + "a", "1"), new(key + "b", "2")], When.NotExists));
        Assert.False(await _db.StringSetAsync([new(key + "b", "3"), new(key + "c", "4")], When.NotExists));
        Assert.True((await _db.StringGetAsync(key + "c")).IsNull);
    }

    [Fact]
    public async Task Hashes()
    {
        var key = Key("hash");

        await _db.HashSetAsync(key, [new("name", "Alice"), new("visits", 1)]);
        Assert.Equal(3, await _db.HashIncrementAsync(key, "visits", 2));
        Assert.True(await _db.HashSetAsync(key, "city", "Oslo", When.NotExists));
        Assert.False(await _db.HashSetAsync(key, "city", "Bergen", When.NotExists));
        var all = (await _db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(new Dictionary<string, string> { ["name"] = "Alice", ["visits"] = "3", ["city"] = "Oslo" }, all);
        Assert.Equal(["Alice", null], (await _db.HashGetAsync(key, ["name", "nope"])).Select(v => (string?)v));
        Assert.True(await _db.HashExistsAsync(key, "city"));
        Assert.Equal(3, await _db.HashLengthAsync(key));
        Assert.Equal(["city"], _db.HashScan(key, "c*").Select(e => (string)e.Name!));
        Assert.True(await _db.HashDeleteAsync(key, "city"));
        Assert.Equal(2, (await _db.HashKeysAsync(key)).Length);
        Assert.Equal(RedisType.Hash, await _db.KeyTypeAsync(key));
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => _db.StringGetAsync(key));
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", wrongType.Message);
    }

    [Fact]
    public async Task Lists()
    {
        var key = Key("list");

        Assert.Equal(2, await _db.ListRightPushAsync(key, ["b", "c"]));
        Assert.Equal(3, await _db.ListLeftPushAsync(key, "a"));
        Assert.Equal(["a", "b", "c"], (await _db.ListRangeAsync(key)).Select(v => (string)v!));
        Assert.Equal("c", await _db.ListGetByIndexAsync(key, -1));
        await _db.ListSetByIndexAsync(key, 1, "B");
        Assert.Equal(1, await _db.ListRemoveAsync(key, "a"));
        Assert.Equal(4, await _db.ListRightPushAsync(key, ["d", "e"]));
        await _db.ListTrimAsync(key, 0, 2);
        Assert.Equal(3, await _db.ListLengthAsync(key));
        Assert.Equal("B", await _db.ListLeftPopAsync(key));
        Assert.Equal(["d", "c"], (await _db.ListRightPopAsync(key, 5)).Select(v => (string)v!));
        Assert.False(await _db.KeyExistsAsync(key));
    }

    [Fact]
    public async Task Sets()
    {
        var key = Key("set");

        Assert.Equal(3, await _db.SetAddAsync(key, ["a", "b", "c"]));
        Assert.False(await _db.SetAddAsync(key, "a"));
        Assert.Equal(["a", "b", "c"], (await _db.SetMembersAsync(key)).Select(v => (string)v!).Order());
        Assert.True(await _db.SetContainsAsync(key, "b"));
        var contains = await _db.SetContainsAsync(key, ["a", "z"]);
        Assert.Equal([true, false], contains);
        Assert.Equal(3, await _db.SetLengthAsync(key));
        Assert.Contains((string?)await _db.SetRandomMemberAsync(key), new[] { "a", "b", "c" });
        Assert.True(await _db.SetRemoveAsync(key, "a"));
        var popped = (string?)await _db.SetPopAsync(key);
        Assert.Contains(popped, new[] { "b", "c" });
        Assert.Equal(1, await _db.SetLengthAsync(key));
        Assert.Single(_db.SetScan(key));
        Assert.Equal(RedisType.Set, await _db.KeyTypeAsync(key));
    }

    [Fact]
    public async Task SortedSets_AsALeaderboardARateLimiterAndADelayedQueueUseThem()
    {
        var key = Key("zset");

        Assert.Equal(3, await _db.SortedSetAddAsync(key, [new("alice", 10), new("bob", 20), new("carol", 15)]));
        Assert.False(await _db.SortedSetAddAsync(key, "alice", 99, SortedSetWhen.NotExists));
        Assert.Equal(25, await _db.SortedSetIncrementAsync(key, "alice", 15));
        Assert.True(await _db.SortedSetUpdateAsync(key, "bob", 30, SortedSetWhen.GreaterThan));
        Assert.False(await _db.SortedSetUpdateAsync(key, "bob", 5, SortedSetWhen.GreaterThan));
        Assert.Equal(["bob=30", "alice=25"], (await _db.SortedSetRangeByRankWithScoresAsync(key, 0, 1, Order.Descending)).Select(e => $"{e.Element}={e.Score}"));
        Assert.Equal(["alice", "carol"], (await _db.SortedSetRangeByScoreAsync(key, 15, 30, Exclude.Stop, Order.Descending)).Select(v => (string)v!));
        Assert.Equal(["alice"], (await _db.SortedSetRangeByScoreAsync(key, skip: 1, take: 1)).Select(v => (string)v!));
        Assert.Equal(25, await _db.SortedSetScoreAsync(key, "alice"));
        Assert.Equal([25, null], await _db.SortedSetScoresAsync(key, ["alice", "nobody"]));
        Assert.Equal(2, await _db.SortedSetRankAsync(key, "bob"));
        Assert.Equal(2, await _db.SortedSetLengthAsync(key, 20, double.PositiveInfinity));
        Assert.Equal(RedisType.SortedSet, await _db.KeyTypeAsync(key));
        Assert.Equal(3, _db.SortedSetScan(key, pageSize: 1).Count());

        var popped = await _db.SortedSetPopAsync(key);
        Assert.Equal(("carol", 15.0), ((string)popped!.Value.Element!, popped.Value.Score));
        Assert.Equal(1, await _db.SortedSetRemoveRangeByScoreAsync(key, 0, 26));
        Assert.True(await _db.SortedSetRemoveAsync(key, "bob"));
        Assert.False(await _db.KeyExistsAsync(key));

        await _db.SortedSetAddAsync(key, [new("a", 0), new("b", 0), new("c", 0)]);
        Assert.Equal(["b", "c"], (await _db.SortedSetRangeByValueAsync(key, "b", default)).Select(v => (string)v!));
        Assert.Equal(2, await _db.SortedSetLengthByValueAsync(key, "a", "b"));
    }

    [Fact]
    public async Task HashScanAndSetScan_PageWithACursor_HonouringCountAndMatch()
    {
        var hash = Key("hscan");
        var set = Key("sscan");
        var names = Enumerable.Range(0, 40).Select(i => $"f{i}").ToList();
        await _db.HashSetAsync(hash, names.Select(n => new HashEntry(n, "v-" + n)).ToArray());
        await _db.SetAddAsync(set, names.Select(n => (RedisValue)n).ToArray());

        var hashPages = await ScanPagesAsync("HSCAN", hash, "COUNT", "7");
        var setPages = await ScanPagesAsync("SSCAN", set, "COUNT", "7");
        var matched = await ScanPagesAsync("SSCAN", set, "MATCH", "f1*", "COUNT", "7");
        var namesOnly = await ScanPagesAsync("HSCAN", hash, "NOVALUES");

        // 40 elements at 7 a page; no two of these names share a position, so no page runs over.
        Assert.Equal(6, hashPages.Count);
        Assert.All(hashPages, page => Assert.InRange(page.Length, 1, 14));
        var pairs = hashPages.SelectMany(page => page.Chunk(2)).ToList();
        Assert.Equal(names.Order(), pairs.Select(pair => pair[0]).Order());
        Assert.All(pairs, pair => Assert.Equal("v-" + pair[0], pair[1]));
        Assert.Equal(6, setPages.Count);
        Assert.Equal(names.Order(), setPages.SelectMany(page => page).Order());
        Assert.Equal(6, matched.Count);
        Assert.Equal(names.Where(n => n.StartsWith("f1", StringComparison.Ordinal)).Order(), matched.SelectMany(page => page).Order());
        Assert.Equal(4, namesOnly.Count);
        Assert.Equal(names.Order(), namesOnly.SelectMany(page => page).Order());
        // The client's own iteration follows the cursor across pages.
        Assert.Equal(names.Order(), _db.HashScan(hash, pageSize: 7).Select(e => (string)e.Name!).Order());
        Assert.Equal(names.Order(), _db.SetScan(set, pageSize: 7).Select(m => (string)m!).Order());
    }

    /// <summary>Every page of one HSCAN or SSCAN, from cursor 0 until the server answers cursor 0.</summary>
    private async Task<List<string[]>> ScanPagesAsync(string command, string key, params string[] options)
    {
        var pages = new List<string[]>();
        var cursor = "0";
        do
        {
            object[] args = [key, cursor, .. options];
            var reply = (RedisResult[])(await _db.ExecuteAsync(command, args))!;
            cursor = (string)reply[0]!;
            pages.Add(((RedisResult[])reply[1]!).Select(item => (string)item!).ToArray());
        } while (cursor != "0");
        return pages;
    }

    [Fact]
    public async Task Transactions_CommitWhenTheirConditionsHold_AndNotOtherwise()
    {
        var key = Key("tx");
        await _db.StringSetAsync(key, "expected");

        // The WATCH-based form on purpose: it is what applications written for Redis before 8.4 send.
#pragma warning disable SER301
        var tran = _db.CreateTransaction();
        tran.AddCondition(Condition.StringEqual(key, "expected"));
        var set = tran.StringSetAsync(key, "changed");
        var incr = tran.StringIncrementAsync(key + ":n");
        Assert.True(await tran.ExecuteAsync());
        await set;
        Assert.Equal(1, await incr);

        var failing = _db.CreateTransaction();
        failing.AddCondition(Condition.StringEqual(key, "expected"));
        _ = failing.StringSetAsync(key, "never");
        Assert.False(await failing.ExecuteAsync());
#pragma warning restore SER301

        var absent = _db.CreateTransaction();
        absent.AddCondition(Condition.KeyNotExists(key + ":new"));
        absent.AddCondition(Condition.HashNotExists(key + ":h", "f"));
        _ = absent.HashSetAsync(key + ":h", "f", "v");
        Assert.True(await absent.ExecuteAsync());

        Assert.Equal("changed", await _db.StringGetAsync(key));
        Assert.Equal("v", await _db.HashGetAsync(key + ":h", "f"));
    }

    [Fact]
    public async Task Locks_TakeExtendRelease()
    {
        var key = Key("lock");

        Assert.True(await _db.LockTakeAsync(key, "me", TimeSpan.FromSeconds(10)));
        Assert.False(await _db.LockTakeAsync(key, "you", TimeSpan.FromSeconds(10)));
        Assert.True(await _db.LockExtendAsync(key, "me", TimeSpan.FromSeconds(60)));
        Assert.False(await _db.LockExtendAsync(key, "you", TimeSpan.FromSeconds(60)));
        Assert.Equal("me", await _db.LockQueryAsync(key));
        Assert.True((await _db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds > 50);
        Assert.False(await _db.LockReleaseAsync(key, "you"));
        Assert.True(await _db.LockReleaseAsync(key, "me"));
        Assert.True(await _db.LockTakeAsync(key, "you", TimeSpan.FromMilliseconds(200)));
        await Task.Delay(400);
        Assert.True(await _db.LockTakeAsync(key, "me", TimeSpan.FromSeconds(10)));
    }
}
