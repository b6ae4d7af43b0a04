using System.Text.Json;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Api;

/// <summary>The node describes its key API at /openapi/v1.json, with the answers docs/api.md documents.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task TheDocument_DescribesEveryKeyOperation_AndItsAnswers()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOpenApi();
        // The document is built from the endpoints' declarations: the services they take are never resolved.
        builder.Services.AddSingleton<KvCommands>(_ => throw new InvalidOperationException("not needed to describe the API"));
        builder.Services.AddSingleton(Options.Create(new LimitsOptions()));
        await using var app = builder.Build();
        app.MapKvApi();
        app.MapOpenApi();
        await app.StartAsync();

        using var document = JsonDocument.Parse(await app.GetTestClient().GetStringAsync("/openapi/v1.json"));

        var key = document.RootElement.GetProperty("paths").GetProperty("/kv/{key}");
        string[] Answers(string operation) => [.. key.GetProperty(operation).GetProperty("responses").EnumerateObject().Select(r => r.Name)];
        Assert.Equal(["200", "400", "404", "409", "421", "503"], Answers("get").Order());
        Assert.Equal(["200", "400", "412", "413", "421", "422", "503"], Answers("put").Order());
        Assert.Equal(["200", "400", "404", "412", "421", "422", "503"], Answers("delete").Order());
        Assert.Equal("PutValue", key.GetProperty("put").GetProperty("operationId").GetString());
    }
}
