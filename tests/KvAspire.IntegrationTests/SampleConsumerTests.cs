using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>
/// The sample consumer: a project that references the AppHost's "kv" resource and calls
/// <c>builder.AddRedisClient("kv")</c>, and keeps its notes through IDistributedCache (RedisCache) on that connection.
/// Its writes go on through a failover with nothing but that.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SampleConsumerTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const string Consumer = "sample-consumer";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    /// <summary>Generous, for a busy 2-core machine.</summary>
    private static readonly TimeSpan FollowTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KvResource_GivesTheConsumerAConnectionString_AndItsWritesFollowAKill()
    {
        using var start = new CancellationTokenSource(StartTimeout);
        await cluster.App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceHealthyAsync(Consumer, start.Token);
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        using var consumer = new HttpClient { BaseAddress = cluster.App.GetEndpoint(Consumer, "http"), Timeout = TimeSpan.FromSeconds(10) };
        using (var put = await consumer.PutAsync("/notes/before", new StringContent("kept")))
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);

        var killedAt = Stopwatch.GetTimestamp();
        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, async () =>
        {
            await Eventually.UntilAsync("a note written through the consumer after the kill", FollowTimeout, async () =>
            {
                using var put = await consumer.PutAsync("/notes/after", new StringContent("written"));
                return put.StatusCode == HttpStatusCode.NoContent;
            });
            output.WriteLine($"kill -> first note written through the consumer: {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:0} ms");
            Assert.Equal("\"kept\"", await consumer.GetStringAsync("/notes/before"));
            Assert.Equal("\"written\"", await consumer.GetStringAsync("/notes/after"));
        });
    }

    [Fact]
    public async Task KvResource_ConnectionString_NamesTheGatewaysRespEndpointAndThePassword()
    {
        var kv = cluster.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<IResourceWithConnectionString>()
            .Single(resource => resource.Name == "kv");

        var connectionString = await kv.GetConnectionStringAsync();

        Assert.Equal($"{cluster.RespEndpoint("gateway")},password={cluster.Password}", connectionString);
    }
}
