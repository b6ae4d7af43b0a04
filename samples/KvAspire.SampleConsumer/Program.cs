using KvAspire.SampleConsumer;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

// A project of the app model that uses the cluster as Aspire's Redis client: the AppHost's "kv" resource
// gives it the connection string (the gateway's RESP endpoint and the password). Its notes live in the
// cluster through IDistributedCache (Microsoft's RedisCache), on the connection Aspire manages.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRedisClient("kv");
builder.Services.AddStackExchangeRedisCache(cache => cache.InstanceName = "sample:");
builder.Services.AddOptions<RedisCacheOptions>()
    .Configure<IConnectionMultiplexer>((cache, connection) => cache.ConnectionMultiplexerFactory = () => Task.FromResult(connection));

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotesApi();
app.Run();
