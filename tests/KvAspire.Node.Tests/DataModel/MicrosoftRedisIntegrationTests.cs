using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace KvAspire.Node.Tests.DataModel;

/// <summary>Microsoft's own Redis integrations, unchanged, with a node as their Redis.</summary>
public sealed class MicrosoftRedisIntegrationTests(RespServer server) : IClassFixture<RespServer>
{
    /// <summary>A cache on a connection of its own: a RedisCache disposes the connection it was given.</summary>
    private RedisCache Cache() => new(new RedisCacheOptions
    {
        ConnectionMultiplexerFactory = async () => await ConnectionMultiplexer.ConnectAsync(server.Configuration),
    });

    [Fact]
    public async Task RedisCache_AbsoluteExpiry_EndsTheEntry()
    {
        using var cache = Cache();

        // RedisCache sets its expiry in whole seconds, as EXPIRE takes it.
        await cache.SetStringAsync("cache:absolute", "v", new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(2) });
        Assert.Equal("v", await cache.GetStringAsync("cache:absolute"));
        await Task.Delay(2500);

        Assert.Null(await cache.GetStringAsync("cache:absolute"));
    }

    [Fact]
    public async Task RedisCache_SlidingExpiry_IsExtendedByReads_AndEndsWithoutThem()
    {
        using var cache = Cache();
        await cache.SetStringAsync("cache:sliding", "v", new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMilliseconds(1500) });

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(600);
            Assert.Equal("v", await cache.GetStringAsync("cache:sliding"));
        }
        await Task.Delay(2500);

        Assert.Null(await cache.GetStringAsync("cache:sliding"));
        await cache.SetStringAsync("cache:removed", "v");
        await cache.RemoveAsync("cache:removed");
        Assert.Null(await cache.GetAsync("cache:removed"));
    }

    [Fact]
    public async Task HybridCache_UsesTheNodeAsItsSecondLevel()
    {
        ServiceProvider Application()
        {
            var services = new ServiceCollection();
            services.AddSingleton<IDistributedCache>(Cache());
            services.AddHybridCache();
            return services.BuildServiceProvider();
        }
        await using var first = Application();
        await using var second = Application();

        var computed = await first.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid:answer", _ => ValueTask.FromResult(42));
        // The second level is written beside the caller, not before it returns.
        for (var waited = 0; await second.GetRequiredService<IDistributedCache>().GetAsync("hybrid:answer") is null && waited < 100; waited++)
            await Task.Delay(50);
        var shared = await second.GetRequiredService<HybridCache>().GetOrCreateAsync("hybrid:answer", _ => ValueTask.FromResult(-1));

        Assert.Equal(42, computed);
        Assert.Equal(42, shared);
    }

    [Fact]
    public void DataProtection_KeysPersistedInTheNode_UnprotectInAnotherApplicationInstance()
    {
        IDataProtector Protector()
        {
            var services = new ServiceCollection();
            services.AddDataProtection().SetApplicationName("kv-tests").PersistKeysToStackExchangeRedis(
                ConnectionMultiplexer.Connect(server.Configuration), "dataprotection:keys");
            return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("purpose");
        }

        var secret = Protector().Protect(Encoding.UTF8.GetBytes("session cookie"));
        var again = Protector().Unprotect(secret);

        Assert.Equal("session cookie", Encoding.UTF8.GetString(again));
        Assert.True(server.Db.ListLength("dataprotection:keys") >= 1);
    }
}
