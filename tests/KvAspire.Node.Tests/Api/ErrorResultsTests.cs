using System.Text.Json;
using KvAspire.Http;
using KvAspire.Node.Api.Http;
using KvAspire.Node.Cluster;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.Node.Tests.Api;

/// <summary>Error answers are RFC 9457 problems whose extensions carry the error code, and the primary and term when known.</summary>
public sealed class ErrorResultsTests
{
    private static Task<(HttpContext Context, JsonElement Body)> ExecuteAsync(IResult result) => ExecuteAsync(_ => result);

    private static async Task<(HttpContext Context, JsonElement Body)> ExecuteAsync(Func<HttpResponse, IResult> answer)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        await answer(context.Response).ExecuteAsync(context);
        context.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        return (context, json.RootElement.Clone());
    }

    [Fact]
    public async Task NotPrimary_IsA421Problem_WithErrorPrimaryAndTermExtensions()
    {
        var (context, body) = await ExecuteAsync(ErrorResults.NotPrimary("node2", 7));

        Assert.Equal(StatusCodes.Status421MisdirectedRequest, context.Response.StatusCode);
        Assert.Equal(ApiError.ContentType, context.Response.ContentType);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.20", body.GetProperty("type").GetString());
        Assert.Equal("Misdirected Request", body.GetProperty("title").GetString());
        Assert.Equal(421, body.GetProperty("status").GetInt32());
        Assert.Contains("node2", body.GetProperty("detail").GetString());
        Assert.Equal(ApiError.NotPrimary("node2", 7), body.Deserialize<ApiError>(JsonSerializerOptions.Web));
    }

    [Fact]
    public async Task AnErrorWithoutPrimaryOrTerm_LeavesThemOut_AndTakesTheStatusOwnType()
    {
        var (context, body) = await ExecuteAsync(ErrorResults.BadRequest("invalid_key", "the key is empty"));

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", body.GetProperty("type").GetString());
        Assert.Equal("Bad Request", body.GetProperty("title").GetString());
        Assert.Equal("invalid_key", body.GetProperty("error").GetString());
        Assert.Equal("the key is empty", body.GetProperty("detail").GetString());
        Assert.False(body.TryGetProperty("primary", out _));
        Assert.False(body.TryGetProperty("term", out _));
    }

    [Fact]
    public async Task PrimaryLost_Is503WithRetryAfter_AndCarriesTheTerm()
    {
        var (context, body) = await ExecuteAsync(response => ErrorResults.From(new WriteOutcome.PrimaryLost(4), response));

        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("leadership_lost", body.GetProperty("error").GetString());
        Assert.Equal(4, body.GetProperty("term").GetInt64());
    }

    [Fact]
    public async Task AStatusWithoutAStandardProblemType_IsAboutBlank_TitledWithItsReasonPhrase()
    {
        var (_, body) = await ExecuteAsync(new ApiError("transfer_pending", "no new primary known yet").ToProblem(StatusCodes.Status202Accepted));

        Assert.Equal("about:blank", body.GetProperty("type").GetString());
        Assert.Equal("Accepted", body.GetProperty("title").GetString());
        Assert.Equal("transfer_pending", body.GetProperty("error").GetString());
    }
}
