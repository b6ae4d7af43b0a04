using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.IntegrationTests;

/// <summary>What the dashboard shows for each resource: Redis addresses as redis:// URLs, no gRPC peer links, the node's own
/// process id, and no certificate error.</summary>
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

    [Fact]
    public async Task NodesProcessId_IsTheNodesOwn_NotAWrappersId()
    {
        var status = await ClusterFixture.StatusAsync(cluster.Nodes["node1"]);
        using var wait = new CancellationTokenSource(UrlTimeout);

        // The dashboard's "Process ID" row; under dotnet run it was the wrapper's, whose child the node is.
        var shown = await cluster.App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync("node1",
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null), wait.Token);

        var pid = shown.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value;
        Assert.Equal(status!.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(pid, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AppHost_NeedsNoDevelopmentCertificate_SoTheDashboardShowsNoCertificateError()
    {
        // Aspire logs this, and shows it as an error banner in the dashboard, when a resource may use HTTPS and no
        // trusted developer certificate exists, as on this machine. Nothing here uses HTTPS.
        Assert.DoesNotContain(cluster.AppHostWarnings.Lines, line => line.Contains("development certificate", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<IReadOnlyList<UrlSnapshot>> UrlsAsync(string resource, Func<IReadOnlyList<UrlSnapshot>, bool> ready)
    {
        using var wait = new CancellationTokenSource(UrlTimeout);
        var shown = await cluster.App.Services.GetRequiredService<ResourceNotificationService>()
            .WaitForResourceAsync(resource, e => ready(e.Snapshot.Urls), wait.Token);
        return shown.Snapshot.Urls;
    }
}
