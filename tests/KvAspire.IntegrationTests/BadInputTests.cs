using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KvAspire.IntegrationTests;

/// <summary>Bad requests get their documented error and change nothing in the cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputTests(ClusterFixture cluster)
{
    private const int MaxKeyBytes = 8 * 1024;
    private const int MaxValueBytes = 16 * 1024 * 1024;

    [Fact]
    public async Task OversizedKey_Gets400_AndIsNotStored()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var key = new string('k', MaxKeyBytes + 1);

        using var put = await cluster.Nodes[primary.Node].PutAsync($"/kv/{key}", new StringContent("v"));

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, "invalid_key");
        await AssertLogUnchangedAsync(primary);
    }

    [Fact]
    public async Task KeyAtTheLimit_IsAccepted()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var key = new string('k', MaxKeyBytes);

        using var put = await cluster.Nodes[primary.Node].PutAsync($"/kv/{key}", new StringContent("v"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [Fact]
    public async Task OversizedValue_Gets413_AndIsNotStored()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        using var put = await cluster.Nodes[primary.Node].PutAsync("/kv/too-big", new ByteArrayContent(new byte[MaxValueBytes + 1]));

        await AssertErrorAsync(put, HttpStatusCode.RequestEntityTooLarge, "value_too_large");
        await AssertLogUnchangedAsync(primary);
        using var get = await cluster.Nodes[primary.Node].GetAsync("/kv/too-big");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task MissingKey_Gets400_OnEveryVerb()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var node = cluster.Nodes[primary.Node];

        using var put = await node.PutAsync("/kv/", new StringContent("v"));
        using var get = await node.GetAsync("/kv/");
        using var delete = await node.DeleteAsync("/kv");

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, "invalid_key");
        await AssertErrorAsync(get, HttpStatusCode.BadRequest, "invalid_key");
        await AssertErrorAsync(delete, HttpStatusCode.BadRequest, "invalid_key");
        await AssertLogUnchangedAsync(primary);
    }

    [Fact]
    public async Task WriteToSecondary_Gets421NamingThePrimary_AndChangesNothing()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var secondary = cluster.Nodes.First(n => n.Key != primary.Node).Value;

        using var put = await secondary.PutAsync("/kv/written-to-secondary", new StringContent("v"));
        using var delete = await secondary.DeleteAsync("/kv/written-to-secondary");
        using var get = await secondary.GetAsync("/kv/written-to-secondary");

        foreach (var response in new[] { put, delete, get })
        {
            var error = await AssertErrorAsync(response, HttpStatusCode.MisdirectedRequest, "not_primary");
            Assert.Equal(primary.Node, error.GetProperty("primary").GetString());
            Assert.Equal(primary.Term, error.GetProperty("term").GetInt64());
        }
        await AssertLogUnchangedAsync(primary);
    }

    [Fact]
    public async Task UnknownAcknowledgementMode_Gets400()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        using var put = await cluster.Nodes[primary.Node].PutAsync("/kv/ack?ack=sometimes", new StringContent("v"));

        await AssertErrorAsync(put, HttpStatusCode.BadRequest, "invalid_acknowledge");
        await AssertLogUnchangedAsync(primary);
    }

    [Fact]
    public async Task HeadersOverKestrelsLimit_Get431_AndNothingIsWritten()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/kv/big-header") { Content = new StringContent("v") };
        // Kestrel's default MaxRequestHeadersTotalSize is 32 KiB.
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));

        using var response = await cluster.Nodes[primary.Node].SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await AssertLogUnchangedAsync(primary);
    }

    [Fact]
    public async Task DeleteOfMissingKey_Gets404_AndSetThenDeleteRoundTrips()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var node = cluster.Nodes[primary.Node];
        var key = $"/kv/round-trip/{Guid.NewGuid():N}";

        using var missing = await node.DeleteAsync(key);
        using var put = await node.PutAsync(key, new StringContent("{\"name\":\"Alice\"}", System.Text.Encoding.UTF8, "application/json"));
        using var get = await node.GetAsync(key);
        using var delete = await node.DeleteAsync(key);
        using var gone = await node.GetAsync(key);

        await AssertErrorAsync(missing, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("application/json; charset=utf-8", get.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"name\":\"Alice\"}", await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        return body;
    }

    /// <summary>No entry was appended anywhere: every node's log still ends where it did.</summary>
    private async Task AssertLogUnchangedAsync(ClusterStatus before)
    {
        foreach (var node in cluster.Nodes.Values)
        {
            var now = await ClusterFixture.StatusAsync(node);
            Assert.Equal(before.LastLogIndex, now!.LastLogIndex);
        }
    }
}
