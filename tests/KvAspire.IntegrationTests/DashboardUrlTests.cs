using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.IntegrationTests;

/// <summary>The links the dashboard shows for each resource: Redis addresses as redis:// URLs, no gRPC peer links.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DashboardUrlTests(ClusterFixture cluster)
{
    private static readonly TimeSpan UrlTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("node1")]
    [InlineData("gateway")]
    public async Task RespEndpoint_IsShownAsARedisUrl(string resource)
    {
        var urls = await UrlsAsync(resource, urls => urls.Any(url => url.Name == "resp"));

        var resp = urls.Single(url => url.Name == "resp");
        Assert.Equal($"redis://{cluster.RespEndpoint(resource)}", resp.Url.TrimEnd('/'));
    }

    [Fact]
    public async Task NodesPeerEndpoint_IsNotShown()
    {
        var urls = await UrlsAsync("node1", urls => urls.Any(url => url.Name == "http"));

        Assert.DoesNotContain(urls, url => url.Name == "peer");
    }

    private async Task<IReadOnlyList<UrlSnapshot>> UrlsAsync(string resource, Func<IReadOnlyList<UrlSnapshot>, bool> ready)
    {
        using var wait = new CancellationTokenSource(UrlTimeout);
        var shown = await cluster.App.Services.GetRequiredService<ResourceNotificationService>()
            .WaitForResourceAsync(resource, e => ready(e.Snapshot.Urls), wait.Token);
        return shown.Snapshot.Urls;
    }
}
