using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

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
