using System.Net;
using System.Net.Http.Json;
using KvAspire.Node.Api.Http;
using Microsoft.AspNetCore.Http;

namespace KvAspire.Node.Tests.Api;

/// <summary>
/// <c>Idempotency-Key</c> on PUT and DELETE: a retry is answered as the first request was, and applied once. (Across a
/// failover and a restart from a snapshot: <c>Durability/IdempotencyAcrossFailoverTests</c>.)
/// </summary>
public sealed class KvApiIdempotencyTests : SingleNodeApi
{
    private static (string, string) Key(string key) => (IdempotencyKey.Header, key);

    private Task<HttpResponseMessage> Delete(string key, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/kv/{key}");
        foreach (var (name, text) in headers)
            request.Headers.TryAddWithoutValidation(name, text);
        return Client.SendAsync(request);
    }

    private static bool Replayed(HttpResponseMessage response) =>
        response.Headers.TryGetValues(IdempotencyKey.ReplayedHeader, out var values) && values.Single() == "true";

    [Fact]
    public async Task ARetriedPut_AnswersWhereTheFirstLanded_AndDoesNotOverwriteALaterWrite()
    {
        var first = await Put("profile", "v1", headers: Key("put-1"));
        var later = await Put("profile", "v2");

        var retry = await Put("profile", "v1", headers: Key("put-1"));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.False(Replayed(first));
        Assert.True(Replayed(retry));
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(await first.Content.ReadFromJsonAsync<KvApi.WriteAccepted>(), await retry.Content.ReadFromJsonAsync<KvApi.WriteAccepted>());
        Assert.Equal("v2", await Client.GetStringAsync("/kv/profile"));
        Assert.Equal(later.Headers.ETag, (await Client.GetAsync("/kv/profile")).Headers.ETag);
    }

    [Fact]
    public async Task ARetriedDelete_DoesNotDeleteTheKeyWrittenSince()
    {
        await Put("cart", "old");
        var first = await Delete("cart", Key("del-1"));
        await Put("cart", "new");

        var retry = await Delete("cart", Key("del-1"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True(Replayed(retry));
        Assert.Equal("new", await Client.GetStringAsync("/kv/cart"));
    }

    [Fact]
    public async Task ARetriedCreateOnlyPut_IsNotTakenForSomeoneElsesKey()
    {
        var first = await Put("lock", "me", ifNoneMatch: "*", headers: Key("create-1"));
        var retry = await Put("lock", "me", ifNoneMatch: "*", headers: Key("create-1"));
        var withoutKey = await Put("lock", "me", ifNoneMatch: "*");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, withoutKey.StatusCode);
    }

    [Fact]
    public async Task TheKeyForADifferentRequest_Is422_AndNothingIsWritten()
    {
        await Put("a", "1", headers: Key("shared"));

        var otherValue = await Put("a", "2", headers: Key("shared"));
        var otherKey = await Put("b", "1", headers: Key("shared"));
        var otherMethod = await Delete("a", Key("shared"));
        var otherTtl = await Put("a", "1", query: "?ttl=30", headers: Key("shared"));

        Assert.All([otherValue, otherKey, otherMethod, otherTtl], r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Equal("idempotency_key_reused", (await otherValue.Content.ReadFromJsonAsync<ApiError>())!.Error);
        Assert.Equal("1", await Client.GetStringAsync("/kv/a"));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/kv/b")).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("caf\u00e9")]
    [InlineData("\"\"")]
    [InlineData("tab\t")]
    public void AMalformedKey_IsRefused(string key)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[IdempotencyKey.Header] = key;

        Assert.False(IdempotencyKey.TryRead(request, out _, out var problem));
        Assert.Contains("visible ASCII", problem);
    }

    [Fact]
    public async Task AMalformedKey_Is400_AndNothingIsWritten_AndAQuotedOneIsTheSameAsBare()
    {
        foreach (var headers in new[] { [Key(new string('k', IdempotencyKey.MaxLength + 1))], [Key("has space")], new[] { Key("one"), Key("two") } })
        {
            var response = await Put("x", "1", headers: headers);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_idempotency_key", (await response.Content.ReadFromJsonAsync<ApiError>())!.Error);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/kv/x")).StatusCode);

        await Put("q", "1", headers: Key("\"quoted-1\""));
        Assert.True(Replayed(await Put("q", "1", headers: Key("quoted-1"))));
        Assert.False(Replayed(await Put("q", "1", headers: Key(new string('k', IdempotencyKey.MaxLength)))));
    }
}
