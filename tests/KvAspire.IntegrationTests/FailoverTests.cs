using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

[Collection(ClusterCollection.Name)]
public sealed class FailoverTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const int KeyCount = 200;
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AcknowledgedWrites_SurvivePrimaryCrash_AndOldPrimaryRejoinsAsSecondary()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var prefix = $"failover-{Guid.NewGuid():N}:";
        for (var i = 0; i < KeyCount; i++)
            await PutUntilAcknowledgedAsync($"/kv/{prefix}{i}", $"value-{i}");
        await AssertAllReadableAsync(prefix);

        var clock = Stopwatch.StartNew();
        ClusterFixture.Kill(before.ProcessId);
        await Eventually.UntilAsync("a write through the gateway to succeed after the primary died", FailoverTimeout, async () =>
        {
            using var put = await cluster.Gateway.PutAsync($"/kv/{prefix}after-failover", new StringContent("new primary"));
            return put.StatusCode == HttpStatusCode.OK;
        });
        output.WriteLine($"kill -> first successful write through the gateway: {clock.ElapsedMilliseconds} ms");

        var survivors = cluster.Nodes.Where(n => n.Key != before.Node).Select(n => n.Value);
        var statuses = await Task.WhenAll(survivors.Select(ClusterFixture.StatusAsync));
        var primary = Assert.Single(statuses, s => s!.Role == Role.Primary)!;
        Assert.NotEqual(before.Node, primary.Node);
        Assert.True(primary.Term > before.Term, $"new term {primary.Term} should exceed {before.Term}");
        await AssertAllReadableAsync(prefix);

        await cluster.StartAsync(before.Node, RejoinTimeout);
        var settled = await cluster.WaitForSettledClusterAsync(RejoinTimeout);
        var rejoined = await ClusterFixture.StatusAsync(cluster.Nodes[before.Node]);
        Assert.Equal(Role.Secondary, rejoined!.Role);
        Assert.Equal(settled.Node, rejoined.Primary);
        Assert.Equal(settled.AppliedDigest, rejoined.AppliedDigest);
        Assert.Equal(settled.LastLogIndex, rejoined.LastLogIndex);
    }

    /// <summary>
    /// A 503 (an election under way on a loaded machine) is an honest answer, not a failure: the client
    /// retries as Retry-After asks. Re-sending a PUT of the same value is idempotent.
    /// </summary>
    private async Task PutUntilAcknowledgedAsync(string path, string value) =>
        await Eventually.UntilAsync($"PUT {path} to be acknowledged", ClusterFixture.ElectionTimeout, async () =>
        {
            using var put = await cluster.Gateway.PutAsync(path, new StringContent(value));
            Assert.True(put.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                $"PUT {path}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            return put.StatusCode == HttpStatusCode.OK;
        });

    private async Task AssertAllReadableAsync(string prefix)
    {
        for (var i = 0; i < KeyCount; i++)
        {
            var path = $"/kv/{prefix}{i}";
            var body = await Eventually.ResultAsync($"GET {path} to be answered by a primary", ClusterFixture.ElectionTimeout, async () =>
            {
                using var get = await cluster.Gateway.GetAsync(path);
                if (get.StatusCode == HttpStatusCode.ServiceUnavailable)
                    return null;
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                return await get.Content.ReadAsStringAsync();
            });
            Assert.Equal($"value-{i}", body);
        }
    }
}
