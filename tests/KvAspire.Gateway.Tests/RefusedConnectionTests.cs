using Microsoft.AspNetCore.Http;

namespace KvAspire.Gateway.Tests;

/// <summary>When a refused connection may be taken to mean "never sent" (503 no_primary, or a re-send to a new
/// primary) and when it must be 502 outcome_unknown: SocketsHttpHandler re-sends a bodiless request after its pooled
/// connection closed, so a refusal of that re-send says nothing of the first send.</summary>
public sealed class RefusedConnectionTests
{
    private static HttpRequest Request(string method, long? contentLength = null, string? transferEncoding = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.ContentLength = contentLength;
        if (transferEncoding is not null)
        {
            context.Request.Headers.TransferEncoding = transferEncoding;
        }
        return context.Request;
    }

    [Theory]
    [InlineData("DELETE", null)]
    [InlineData("DELETE", 0L)]
    [InlineData("PUT", 0L)]
    [InlineData("POST", null)]
    public void AWriteWithoutABody_MayHaveArrived(string method, long? contentLength)
    {
        Assert.False(PrimaryRouting.RefusedConnectionProvesNotSent(Request(method, contentLength)));
    }

    [Fact]
    public void AWriteWithABody_IsNeverSentAgain_SoARefusalProvesIt()
    {
        Assert.True(PrimaryRouting.RefusedConnectionProvesNotSent(Request("PUT", 3)));
        Assert.True(PrimaryRouting.RefusedConnectionProvesNotSent(Request("POST", null, "chunked")));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public void AReadChangesNothing_SoItMayBeSentAgain(string method)
    {
        Assert.True(PrimaryRouting.RefusedConnectionProvesNotSent(Request(method)));
    }
}
