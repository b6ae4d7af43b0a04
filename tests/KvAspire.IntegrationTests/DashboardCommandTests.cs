using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>
/// The dashboard's node commands, invoked the way the dashboard does (ResourceCommandService), and the
/// role the dashboard shows. Each test leaves three settled nodes behind for the rest of the collection.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DashboardCommandTests(ClusterFixture cluster, ITestOutputHelper output)
{
    // Command names and property name as the AppHost declares them (NodeCommands, NodeRoleWatcher).
    private const string CrashCommand = "kv-crash";
    private const string IsolateCommand = "kv-isolate";
    private const string StepDownCommand = "kv-step-down";
    private const string RoleProperty = "kv.role";
    // kv.failover.duration (a histogram in seconds) and the gateway's kv.gateway.primary_switches, as /metrics names them.
    private const string FailoverCount = "kv_failover_duration_seconds_count";
    private const string PrimarySwitches = "kv_gateway_primary_switches_total";
    private static readonly TimeSpan IsolationTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);

    private ResourceCommandService Commands => cluster.App.Services.GetRequiredService<ResourceCommandService>();

    [Fact]
    public async Task StepDown_IsEnabledOnThePrimaryOnly()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        foreach (var node in ClusterFixture.NodeNames)
        {
            var expected = node == primary.Node ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
            using var wait = new CancellationTokenSource(FailoverTimeout);
            await cluster.App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(node,
                e => e.Snapshot.Commands.Any(c => c.Name == StepDownCommand && c.State == expected), wait.Token);
        }
    }

    [Fact]
    public async Task Crash_KillsThePrimary_AndAnotherNodeIsElected_AndTheDashboardShowsIt()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var failoversBefore = new Dictionary<string, double>();
        foreach (var (name, node) in cluster.Nodes)
            failoversBefore[name] = await PrometheusText.SumAsync(node, FailoverCount);
        var switchesBefore = await PrometheusText.SumAsync(cluster.Gateway, PrimarySwitches);
        try
        {
            var result = await Commands.ExecuteCommandAsync(before.Node, CrashCommand);

            Assert.True(result.Success, $"crash command failed: {result.Message}");
            var primary = await Eventually.ResultAsync("the gateway to follow a new primary", FailoverTimeout, async () =>
                await cluster.Gateway.GetFromJsonAsync<GatewayStatus>("/cluster") is { Primary: { } node } && node != before.Node
                    ? node
                    : null);
            output.WriteLine($"crashed {before.Node}; new primary {primary}");
            Assert.True(HasExited(before.ProcessId), $"{before.Node}'s process {before.ProcessId} is still alive");
            await WaitForRoleAsync(primary, Role.Primary, FailoverTimeout);
            Assert.True(await PrometheusText.SumAsync(cluster.Nodes[primary], FailoverCount) > failoversBefore[primary],
                $"{primary} did not record {FailoverCount}");
            Assert.True(await PrometheusText.SumAsync(cluster.Gateway, PrimarySwitches) > switchesBefore,
                $"the gateway did not count the switch in {PrimarySwitches}");
        }
        finally
        {
            await cluster.StartAsync(before.Node, RejoinTimeout);
            await cluster.WaitForSettledClusterAsync(RejoinTimeout);
        }
    }

    [Fact]
    public async Task Isolate_PrimaryStepsDown_OthersElectANewOne_AndItRejoinsAsSecondaryWhenHealed()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var isolated = cluster.Nodes[before.Node];

        var result = await Commands.ExecuteCommandAsync(before.Node, IsolateCommand);

        Assert.True(result.Success, $"isolate command failed: {result.Message}");
        // Check-quorum: a primary that hears from no majority steps down.
        await Eventually.UntilAsync($"isolated {before.Node} to stop being primary", FailoverTimeout, async () =>
            (await ClusterFixture.StatusAsync(isolated))!.Role != Role.Primary);
        var others = cluster.Nodes.Where(n => n.Key != before.Node).Select(n => n.Value).ToList();
        var elected = await Eventually.ResultAsync("the other two to elect a new primary", FailoverTimeout, async () =>
        {
            var statuses = await Task.WhenAll(others.Select(ClusterFixture.StatusAsync));
            return statuses.SingleOrDefault(s => s!.Role == Role.Primary && s.Term > before.Term);
        });
        output.WriteLine($"isolated {before.Node}; {elected.Node} elected in term {elected.Term}");

        var settled = await cluster.WaitForSettledClusterAsync(IsolationTime + RejoinTimeout);
        var rejoined = await ClusterFixture.StatusAsync(isolated);
        Assert.NotEqual(before.Node, settled.Node);
        Assert.Equal(Role.Secondary, rejoined!.Role);
        Assert.Equal(settled.Node, rejoined.Primary);
    }

    [Fact]
    public async Task StepDown_HandsThePrimaryRoleToAnotherNode_WithoutLosingAcknowledgedWrites()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var key = $"/kv/step-down/{Guid.NewGuid():N}";
        using (var put = await cluster.Nodes[before.Node].PutAsync(key, new StringContent("kept")))
            Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);

        var result = await Commands.ExecuteCommandAsync(before.Node, StepDownCommand);

        Assert.True(result.Success, $"step-down command failed: {result.Message}");
        var after = await cluster.WaitForSettledClusterAsync(FailoverTimeout);
        output.WriteLine($"{before.Node} handed over to {after.Node} (term {before.Term} -> {after.Term})");
        Assert.NotEqual(before.Node, after.Node);
        Assert.True(after.Term > before.Term);
        // The dashboard's notification names who leads now, not just "done".
        Assert.Contains($"handed the primary role to {after.Node}", result.Message);
        Assert.Equal(Role.Secondary, (await ClusterFixture.StatusAsync(cluster.Nodes[before.Node]))!.Role);
        var value = await Eventually.ResultAsync("the key to be readable through the gateway", FailoverTimeout, async () =>
        {
            using var get = await cluster.Gateway.GetAsync(key);
            return get.IsSuccessStatusCode ? await get.Content.ReadAsStringAsync() : null;
        });
        Assert.Equal("kept", value);
    }

    private static bool HasExited(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process any more
        }
    }

    /// <summary>Waits until the dashboard's resource view shows <paramref name="role"/> for <paramref name="node"/>.</summary>
    private async Task WaitForRoleAsync(string node, Role role, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await cluster.App.Services.GetRequiredService<ResourceNotificationService>().WaitForResourceAsync(node,
            e => e.Snapshot.Properties.Any(p => p.Name == RoleProperty && role.ToString().Equals(p.Value as string, StringComparison.Ordinal)),
            wait.Token);
    }
}
