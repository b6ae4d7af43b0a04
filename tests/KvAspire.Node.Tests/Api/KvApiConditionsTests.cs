using System.Net;
using KvAspire.Node.Api.Http;

namespace KvAspire.Node.Tests.Api;

/// <summary>HTTP's time to live, ETag (the key's revision) and compare-and-set with If-Match / If-None-Match.</summary>
public sealed class KvApiConditionsTests : SingleNodeApi
{
    [Fact]
    public async Task PutWithATimeToLive_GetReportsTheTimeLeft_AndTheKeyExpires()
    {
        var put = await Put("session", "v", query: "?ttl=2.5");
        var get = await Client.GetAsync("/kv/session");
        await Task.Delay(2700);
        var after = await Client.GetAsync("/kv/session");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var left = double.Parse(get.Headers.GetValues(KvApi.TtlHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(left, 0.001, 2.5);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put("session", "v", query: "?ttl=-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put("forever", "v")).StatusCode);
        Assert.False((await Client.GetAsync("/kv/forever")).Headers.Contains(KvApi.TtlHeader));
    }

    [Fact]
    public async Task AcknowledgementMode_IsQuorumOrPrimary_AndLeaderStillMeansPrimary()
    {
        var primary = await Put("ack", "1", query: "?ack=primary");
        var leader = await Put("ack", "2", headers: (KvApi.AcknowledgeHeader, "Leader"));
        var unknown = await Put("ack", "3", query: "?ack=everyone");

        Assert.Equal(HttpStatusCode.OK, primary.StatusCode);
        Assert.Equal(HttpStatusCode.OK, leader.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("use Quorum or Primary", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IfMatch_WritesOnlyOverTheRevisionItNames()
    {
        var created = await Put("doc", "1", ifNoneMatch: "*");
        var etag = (await Client.GetAsync("/kv/doc")).Headers.ETag!;
        var refusedCreate = await Put("doc", "x", ifNoneMatch: "*");
        var updated = await Put("doc", "2", ifMatch: etag.Tag);
        var stale = await Put("doc", "3", ifMatch: etag.Tag);
        var staleDelete = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/kv/doc") { Headers = { IfMatch = { etag } } });
        var current = (await Client.GetAsync("/kv/doc")).Headers.ETag!;
        var deleted = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/kv/doc") { Headers = { IfMatch = { current } } });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(created.Headers.ETag, etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refusedCreate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.StatusCode);
        Assert.Equal(updated.Headers.ETag, current);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/kv/doc")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Put("doc", "x", ifMatch: "*")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put("doc", "x", ifMatch: "not-an-etag")).StatusCode);
    }
}
