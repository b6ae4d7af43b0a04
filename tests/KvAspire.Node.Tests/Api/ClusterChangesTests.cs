using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Api;

/// <summary><c>GET /cluster/changes</c> with a caller's <c>wait</c>: a current view is answered, unchanged, once the wait
/// runs out (the gateway's liveness check of each node), and a wait out of bounds is refused.</summary>
public sealed class ClusterChangesTests : SingleNodeApi
{
    [Fact]
    public async Task ACurrentView_IsAnsweredUnchanged_OnceTheCallersWaitRunsOut()
    {
        var status = Node.Host.Status;

        var answer = await Client.GetFromJsonAsync<JsonElement>(
            $"/cluster/changes?role=Primary&term={status.Term}&primary=node1&wait=200");

        Assert.Equal("Primary", answer.GetProperty("role").GetString());
        Assert.Equal(status.Term, answer.GetProperty("term").GetInt64());
    }

    [Fact]
    public async Task TheSharedPath_NamesTheViewTheNodeCompares()
    {
        var status = Node.Host.Status;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Client.GetFromJsonAsync<JsonElement>(ClusterChanges.Path(status.Role, status.Term, status.Primary, TimeSpan.FromMilliseconds(300)));

        // A view the node did not recognise as its own would have been answered at once.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {clock.Elapsed}: the node did not see its own view");
    }

    [Fact]
    public void TheSharedPath_IsTheQueryTheGatewayAndTheAppHostSend()
    {
        Assert.Equal("/cluster/changes", ClusterChanges.Path());
        Assert.Equal("/cluster/changes?wait=1000", ClusterChanges.Path(TimeSpan.FromSeconds(1)));
        Assert.Equal("/cluster/changes?role=Primary&term=3&primary=node%201", ClusterChanges.Path(Role.Primary, 3, "node 1"));
        Assert.Equal("/cluster/changes?role=Candidate&term=4&primary=&wait=250", ClusterChanges.Path(Role.Candidate, 4, null, TimeSpan.FromMilliseconds(250)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(60_001)]
    public async Task AWaitOutOfBounds_IsRefused(int wait)
    {
        using var response = await Client.GetAsync($"/cluster/changes?role=Primary&term=1&primary=node1&wait={wait}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_wait", error.GetProperty("error").GetString());
    }
}
