using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace KvAspire.IntegrationTests;

/// <summary>
/// A node's <c>GET /cluster/changes</c>, the long poll the AppHost's dashboard view uses instead of polling: it answers at
/// once when the caller's view is out of date, and otherwise as soon as the role, term or primary changes.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RoleChangesTests(ClusterFixture cluster)
{
    /// <summary>Well under the node's 10 s wait: an answer this fast was caused by the change, not by the wait running out.</summary>
    private static readonly TimeSpan PromptAnswer = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Changes_AnswersAtOnce_ForAnOutdatedView_AndOnTheNextRoleChange_ForACurrentOne()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var secondary = ClusterFixture.NodeNames.First(n => n != primary.Node);
        var node = cluster.Nodes[secondary];

        var outdated = await AnswerTimeAsync(node, ClusterChanges.Path(Role.Secondary, primary.Term - 1, primary.Node));
        Assert.True(outdated.Elapsed < PromptAnswer, $"an outdated view took {outdated.Elapsed} to answer");
        Assert.Equal(primary.Term, outdated.Status.Term);

        var current = AnswerTimeAsync(node, ClusterChanges.Path(Role.Secondary, primary.Term, primary.Node));
        var stepDown = await cluster.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(primary.Node, "kv-step-down");
        Assert.True(stepDown.Success, $"step-down failed: {stepDown.Message}");

        var changed = await current;
        Assert.True(changed.Elapsed < PromptAnswer, $"the answer after a step-down took {changed.Elapsed}");
        Assert.True(changed.Status.Term > primary.Term, $"answered term {changed.Status.Term}, not one after {primary.Term}");
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
    }

    private static async Task<(ClusterStatus Status, TimeSpan Elapsed)> AnswerTimeAsync(HttpClient node, string path)
    {
        // The fixture's clients give up after 5 s; a long poll may take the node's full 10 s wait.
        using var patient = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        patient.DefaultRequestHeaders.Authorization = node.DefaultRequestHeaders.Authorization;
        var clock = Stopwatch.StartNew();
        var status = await patient.GetFromJsonAsync<ClusterStatus>(path);
        return (status!, clock.Elapsed);
    }
}
