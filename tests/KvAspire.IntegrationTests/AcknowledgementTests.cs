using System.Net;
using System.Net.Http.Json;

namespace KvAspire.IntegrationTests;

/// <summary>Both acknowledgement modes write through the gateway and replicate to every node.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AcknowledgementTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData("?ack=primary", null)]
    [InlineData("?ack=leader", null)] // Primary's first name, still accepted
    [InlineData("?ack=quorum", null)]
    [InlineData("", "Primary")]
    [InlineData("", "Quorum")]
    public async Task Write_IsAcknowledged_AndReachesEveryNode(string query, string? header)
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var key = $"/kv/ack/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Put, key + query) { Content = new StringContent("v") };
        if (header is not null)
            request.Headers.Add("X-Kv-Acknowledge", header);

        using var put = await cluster.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var accepted = await put.Content.ReadFromJsonAsync<WriteAccepted>();
        // A node publishes its /cluster view once per tick, so the view right after the answer may predate the write.
        await Eventually.UntilAsync($"every node to apply the write at {accepted!.Index}", ClusterFixture.ElectionTimeout, async () =>
            (await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout)).AppliedIndex >= accepted.Index);
        using var get = await cluster.Gateway.GetAsync(key);
        Assert.Equal("v", await get.Content.ReadAsStringAsync());
    }

    private sealed record WriteAccepted(long Index, long Term);
}
