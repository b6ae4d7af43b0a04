using System.Net.Http.Headers;
using System.Text.Json;

namespace KvAspire.Gateway.Tests;

/// <summary>The gateway describes its API at /openapi/v1.json: its own /cluster and the /kv/{key} route it forwards.</summary>
public sealed class GatewayOpenApiTests
{
    private const string Password = "client-pass";

    [Fact]
    public async Task TheDocument_DescribesTheForwardedKeyOperations_AndTheClusterView()
    {
        await using var gateway = await TestGateway.StartAsync([
            new("services:node1:http:0", "http://127.0.0.1:1"),
            new("Auth:Password", Password),
        ]);
        using var client = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Password);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths");
        var key = paths.GetProperty("/kv/{key}");
        Assert.Equal(["delete", "get", "put"], key.EnumerateObject().Select(operation => operation.Name).Order());
        Assert.Equal(["200", "421", "502", "503"],
            key.GetProperty("put").GetProperty("responses").EnumerateObject().Select(response => response.Name).Order());
        Assert.True(paths.GetProperty("/cluster").TryGetProperty("get", out _));
    }
}
