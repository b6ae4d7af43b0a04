using System.Net.Http.Headers;
using System.Text.Json;

namespace KvAspire.Gateway.Tests;

/// <summary>The gateway describes its API at /openapi/v1.json: its own /cluster and the routes it forwards.</summary>
public sealed class GatewayOpenApiTests
{
    private const string Password = "client-pass";

    [Fact]
    public async Task TheDocument_DescribesTheForwardedKeyOperations_AndTheClusterView()
    {
        var paths = await PathsAsync();

        var key = paths.GetProperty("/kv/{key}");
        Assert.Equal(["delete", "get", "put"], Operations(paths, "/kv/{key}"));
        Assert.Equal(["200", "421", "502", "503"],
            key.GetProperty("put").GetProperty("responses").EnumerateObject().Select(response => response.Name).Order());
        Assert.True(paths.GetProperty("/cluster").TryGetProperty("get", out _));
    }

    [Fact]
    public async Task TheDocument_DescribesTheForwardedMembersApi()
    {
        var paths = await PathsAsync();

        Assert.Equal(["get", "post"], Operations(paths, "/cluster/members"));
        Assert.Equal(["delete"], Operations(paths, "/cluster/members/{id}"));
        Assert.Equal(["post"], Operations(paths, "/cluster/members/{id}/promote"));
    }

    private static async Task<JsonElement> PathsAsync()
    {
        await using var gateway = await TestGateway.StartAsync([
            new("services:node1:http:0", "http://127.0.0.1:1"),
            new("Auth:Password", Password),
        ]);
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.GetProperty("paths").Clone();
    }

    private static string[] Operations(JsonElement paths, string path) =>
        [.. paths.GetProperty(path).EnumerateObject().Select(operation => operation.Name).Order()];
}
