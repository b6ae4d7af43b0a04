using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace KvAspire.IntegrationTests;

/// <summary>
/// What applications keep in Redis, kept in the cluster through a kill of the primary: StackExchange.Redis' typed
/// values, HybridCache with Microsoft's RedisCache as its second level, and Data Protection's key ring. Each
/// client is given every node and finds the new primary by itself; what was stored before the kill is there
/// after it, and writing goes on.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RedisApplicationsFailoverTests(ClusterFixture cluster)
{
    /// <summary>Generous, for a busy 2-core machine: an election plus the client noticing it.</summary>
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);
    /// <summary>How long HybridCache may take to write its second level beside the caller, on a busy machine.</summary>
    private static readonly TimeSpan SecondLevelTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Read only from the second level: no memory cache, no factory, nothing written back.</summary>
    private static readonly HybridCacheEntryOptions SecondLevelOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableUnderlyingData
            | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    [Fact]
    public async Task TypedValues_WrittenBeforeThePrimarysKill_AreThereAfterIt_AndChangeOnTheNewPrimary()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();
        var (ttl, counter, hash, list, set, zset) = (TypedTtl, TypedCounter, TypedHash, TypedList, TypedSet, TypedSortedSet);
        await db.KeyDeleteAsync([ttl, counter, hash, list, set, zset]);
        await db.StringSetAsync(ttl, "v", TimeSpan.FromMinutes(10));
        Assert.Equal(10, await db.StringIncrementAsync(counter, 10));
        await db.HashSetAsync(hash, [new("name", "Alice"), new("visits", 1)]);
        Assert.Equal(3, await db.ListRightPushAsync(list, ["a", "b", "c"]));
        Assert.Equal(3, await db.SetAddAsync(set, ["a", "b", "c"]));
        Assert.Equal(3, await db.SortedSetAddAsync(zset, [new("a", 1), new("b", 2), new("c", 3.5)]));

        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, async () =>
        {
            // All read again whenever one fails: the client may still send some to a node that is no longer primary.
            var after = await Eventually.ResultAsync("every value, read from the new primary", FailoverTimeout, () => ReadTypedAsync(db));
            Assert.True(after.TimeToLive > TimeSpan.Zero && after.TimeToLive <= TimeSpan.FromMinutes(10), $"time to live after the kill: {after.TimeToLive}");
            Assert.Equal("10", after.Counter);
            Assert.Equal(["name=Alice", "visits=1"], after.Hash);
            Assert.Equal(["a", "b", "c"], after.List);
            Assert.Equal(["a", "b", "c"], after.Set);
            Assert.Equal(["a=1", "b=2", "c=3.5"], after.SortedSet);

            await OnceAsync(db, Condition.StringEqual(counter, 10), tx => tx.StringIncrementAsync(counter, 5));
            await OnceAsync(db, Condition.HashEqual(hash, "visits", 1), tx => tx.HashIncrementAsync(hash, "visits"));
            await OnceAsync(db, Condition.ListLengthEqual(list, 3), tx => tx.ListRightPushAsync(list, "d"));
            await OnceAsync(db, Condition.SetNotContains(set, "d"), tx => tx.SetAddAsync(set, "d"));
            await OnceAsync(db, Condition.SortedSetEqual(zset, "a", 1), tx => tx.SortedSetIncrementAsync(zset, "a", 10));
            await OnceAsync(db, Condition.SortedSetContains(zset, "b"), tx => tx.SortedSetRemoveAsync(zset, "b"));
            await OnceAsync(db, Condition.KeyExists(ttl), tx => tx.KeyPersistAsync(ttl));

            var changed = await Eventually.ResultAsync("every value, read again", FailoverTimeout, () => ReadTypedAsync(db));
            Assert.Null(changed.TimeToLive);
            Assert.Equal("15", changed.Counter);
            Assert.Equal(["name=Alice", "visits=2"], changed.Hash);
            Assert.Equal(["a", "b", "c", "d"], changed.List);
            Assert.Equal(["a", "b", "c", "d"], changed.Set);
            Assert.Equal(["c=3.5", "a=11"], changed.SortedSet);
            Assert.Equal(2, await db.SortedSetLengthAsync(zset));
        });
    }

    private const string TypedTtl = "typed-failover:ttl", TypedCounter = "typed-failover:counter", TypedHash = "typed-failover:hash",
        TypedList = "typed-failover:list", TypedSet = "typed-failover:set", TypedSortedSet = "typed-failover:zset";

    private sealed record TypedValues(TimeSpan? TimeToLive, string? Counter, List<string> Hash, List<string> List, List<string> Set,
        List<string> SortedSet);

    /// <summary>The typed test's six keys as the client reads them (hash fields as name=value, set members sorted, sorted set
    /// members as member=score in score order).</summary>
    private static async Task<TypedValues?> ReadTypedAsync(IDatabase db) => new(
        await db.KeyTimeToLiveAsync(TypedTtl), (string?)await db.StringGetAsync(TypedCounter),
        (await db.HashGetAllAsync(TypedHash)).Select(e => $"{e.Name}={e.Value}").Order().ToList(),
        (await db.ListRangeAsync(TypedList)).Select(v => (string)v!).ToList(),
        (await db.SetMembersAsync(TypedSet)).Select(v => (string)v!).Order().ToList(),
        (await db.SortedSetRangeByScoreWithScoresAsync(TypedSortedSet)).Select(e => $"{e.Element}={e.Score}").ToList());

    [Fact]
    public async Task HybridCache_OverRedisCache_KeepsWhatItCachedBeforeThePrimarysKill_AndCachesAfterIt()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var (cachedBefore, cachedAfter) = ($"hybrid-failover:before:{Guid.NewGuid():N}", $"hybrid-failover:after:{Guid.NewGuid():N}");
        await using var writer = HybridApplication();
        var cache = writer.GetRequiredService<HybridCache>();
        // Another running instance of the application. It reads only from the second level, so what it finds can
        // only have come from the cluster. Started before the kill: a HybridCache that cannot read its invalidation
        // timestamp from the second level when it starts treats every older entry as invalidated.
        await using var reader = HybridApplication();
        var readerCache = reader.GetRequiredService<HybridCache>();

        Assert.Equal(42, await cache.GetOrCreateAsync(cachedBefore, _ => ValueTask.FromResult(42)));
        // HybridCache writes its second level beside the caller, not before it returns.
        await Eventually.UntilAsync("the entry, read by the other instance", SecondLevelTimeout,
            async () => await readerCache.GetOrCreateAsync(cachedBefore, _ => ValueTask.FromResult(0), SecondLevelOnly) == 42);

        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, async () =>
        {
            await Eventually.UntilAsync("the entry cached before the kill, read by the other instance", FailoverTimeout,
                async () => await readerCache.GetOrCreateAsync(cachedBefore, _ => ValueTask.FromResult(0), SecondLevelOnly) == 42);

            await Eventually.UntilAsync("an entry cached after the kill, read by the other instance", FailoverTimeout, async () =>
            {
                // SetAsync writes the second level before it returns, and repeating it is harmless.
                await cache.SetAsync(cachedAfter, 7);
                return await readerCache.GetOrCreateAsync(cachedAfter, _ => ValueTask.FromResult(0), SecondLevelOnly) == 7;
            });
        });
    }

    [Fact]
    public async Task DataProtection_KeysPersistedBeforeThePrimarysKill_AreThereAfterIt_AndUnprotectWhatTheyProtected()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var keyRing = $"dataprotection-failover:{Guid.NewGuid():N}";
        await using var redisBefore = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var secret = Protector(redisBefore, keyRing).Protect(Encoding.UTF8.GetBytes("session cookie"));
        var keysBefore = (await redisBefore.GetDatabase().ListRangeAsync(keyRing)).Select(v => (string)v!).ToList();
        Assert.NotEmpty(keysBefore);

        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, async () =>
        {
            // A new instance of the application: it knows no key until it reads the ring from the cluster.
            await using var redisAfter = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
            var keysAfter = await Eventually.ResultAsync("the key ring, read from the new primary", FailoverTimeout, async () =>
                (await redisAfter.GetDatabase().ListRangeAsync(keyRing)).Select(v => (string)v!).ToList() is { Count: > 0 } keys ? keys : null);
            Assert.Equal(keysBefore, keysAfter);

            var plain = await WithProtectorAsync("unprotecting with the ring read after the kill", redisAfter, keyRing, p => p.Unprotect(secret));
            Assert.Equal("session cookie", Encoding.UTF8.GetString(plain));
            var protectedAfter = await WithProtectorAsync("protecting after the kill", redisAfter, keyRing, p => p.Protect(Encoding.UTF8.GetBytes("after")));
            var after = await WithProtectorAsync("unprotecting through the connection made before the kill", redisBefore, keyRing,
                p => p.Unprotect(protectedAfter));
            Assert.Equal("after", Encoding.UTF8.GetString(after));
        });
    }

    /// <summary>
    /// Protects or unprotects with a new instance per attempt, as an application restarted after the failover would. Data
    /// Protection wraps the store's errors (READONLY from a node that was primary a moment ago, which a CI run met when
    /// protecting too) in its own exception.
    /// </summary>
    private static Task<byte[]> WithProtectorAsync(string what, IConnectionMultiplexer redis, string keyRing, Func<IDataProtector, byte[]> use) =>
        Eventually.ResultAsync(what, FailoverTimeout, () =>
        {
            try
            {
                return Task.FromResult<byte[]?>(use(Protector(redis, keyRing)));
            }
            catch (System.Security.Cryptography.CryptographicException e) when (e.InnerException is RedisException)
            {
                return Task.FromResult<byte[]?>(null);
            }
        });

    /// <summary>
    /// A write that must happen once, repeated until one attempt has been answered: a transaction conditioned on the
    /// value before it, so once an attempt commits (even one whose reply the failover lost), every later one aborts.
    /// Nothing else writes these keys, so an abort means the write has happened.
    /// </summary>
    private static Task OnceAsync(IDatabase db, Condition unchanged, Func<ITransaction, Task> write) =>
        Eventually.UntilAsync($"a write conditioned on {unchanged}", FailoverTimeout, async () =>
        {
            var transaction = db.CreateTransaction();
            transaction.AddCondition(unchanged);
            _ = write(transaction);
            await transaction.ExecuteAsync();
            return true;
        });

    /// <summary>An application instance: HybridCache whose second level is a RedisCache on a connection to every node.</summary>
    private ServiceProvider HybridApplication()
    {
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(options =>
            options.ConnectionMultiplexerFactory = async () => await cluster.ConnectRedisAsync(ClusterFixture.NodeNames));
        services.AddHybridCache();
        return services.BuildServiceProvider();
    }

    /// <summary>An application instance's protector, its key ring persisted in the list <paramref name="keyRing"/>.</summary>
    private static IDataProtector Protector(IConnectionMultiplexer redis, string keyRing)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("kv-failover-tests").PersistKeysToStackExchangeRedis(redis, keyRing);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("session");
    }
}
