using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>
/// The cluster grows 3 → 5 → 3 at runtime while a client writes through the gateway: the AppHost's spare nodes are
/// started, added as learners, promoted and removed again with the dashboard's commands (which call the primary's
/// <c>/cluster/members</c>), and every acknowledged write is still there at the end.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MembershipTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string[] Spares = ["node4", "node5"];
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(60);

    private ResourceCommandService Commands => cluster.App.Services.GetRequiredService<ResourceCommandService>();

    [Fact]
    public async Task Cluster_GrowsToFiveAndShrinksToThree_UnderWrites_LosingNoAcknowledgedWrite()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        using var stop = new CancellationTokenSource();
        var acknowledged = new List<int>();
        var writes = WriteAsync(acknowledged, stop.Token);
        try
        {
            foreach (var spare in Spares)
            {
                await StartAsync(spare);
                await RunAsync(spare, "kv-add-member");
                await PromoteAsync(spare);
            }
            var grown = await PrimaryStatusAsync();
            Assert.Equal(["node1", "node2", "node3", "node4", "node5"], grown.Voters);
            Assert.Empty(grown.Learners);

            foreach (var spare in Spares)
                await RunAsync(spare, "kv-remove-member");
            var shrunk = await PrimaryStatusAsync();
            Assert.Equal(ClusterFixture.NodeNames, shrunk.Voters);
        }
        finally
        {
            foreach (var spare in Spares)
                await Commands.ExecuteCommandAsync(spare, KnownResourceCommands.StopCommand);
        }
        await Eventually.UntilAsync("writes to go on after the last change", ChangeTimeout, () =>
        {
            var before = Count(acknowledged);
            return Task.Delay(500).ContinueWith(_ => Count(acknowledged) > before);
        });
        stop.Cancel();
        await writes;

        var settled = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        output.WriteLine($"{Count(acknowledged)} writes acknowledged during the changes; primary {settled.Node} in term {settled.Term}");
        int[] keys;
        lock (acknowledged)
            keys = [.. acknowledged];
        await AssertAllPresentAsync("membership", keys);
    }

    [Fact]
    public async Task NodeWhoseDiskDied_IsReplacedUnderANewName_AndComesBackEmptyAsANewMember()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var victim = ClusterFixture.NodeNames.First(node => node != before.Node);
        var victimPid = (await ClusterFixture.StatusAsync(cluster.Nodes[victim]))!.ProcessId;
        var acknowledged = new List<int>();
        await WriteKeysAsync(acknowledged, 0, 100);

        // Its disk dies: the process goes down and its data folder is gone.
        ClusterFixture.Kill(victimPid);
        await Notifications.WaitForResourceAsync(victim, e => e.Snapshot.State?.Text is "Exited" or "Finished").WaitAsync(ChangeTimeout);
        Directory.Delete(cluster.DataDirectory(victim), recursive: true);

        // The dead member is removed first: a new node votes only once every voter holds its join floor, which a dead voter
        // never will. Then a replacement joins under a new name.
        try
        {
            await RunAsync(victim, "kv-remove-member");
            await StartAsync("node4");
            await RunAsync("node4", "kv-add-member");
            await PromoteAsync("node4");
            Assert.Equal(ClusterFixture.NodeNames.Where(n => n != victim).Append("node4").Order(), (await PrimaryStatusAsync()).Voters);
            await WriteKeysAsync(acknowledged, 100, 200);

            // The machine comes back empty under its old name: it is a new member now, added and promoted like any other
            // (it votes only once the primary has shown it holds what it lost), and the replacement leaves.
            await cluster.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(victim, KnownResourceCommands.StartCommand);
            await RunAsync(victim, "kv-add-member");
            await PromoteAsync(victim);
            await RunAsync("node4", "kv-remove-member");
            Assert.Equal(ClusterFixture.NodeNames, (await PrimaryStatusAsync()).Voters);
        }
        finally
        {
            await Commands.ExecuteCommandAsync("node4", KnownResourceCommands.StopCommand);
        }
        await WriteKeysAsync(acknowledged, 200, 300);

        await cluster.WaitForSettledClusterAsync(ChangeTimeout);
        await AssertAllPresentAsync("replace", acknowledged);
    }

    private ResourceNotificationService Notifications => cluster.App.Services.GetRequiredService<ResourceNotificationService>();

    private async Task StartAsync(string spare)
    {
        var start = await Commands.ExecuteCommandAsync(spare, KnownResourceCommands.StartCommand);
        Assert.True(start.Success, $"starting {spare}: {start.Message}");
        // Running, not healthy: a node outside the cluster serves nothing, so its readiness check fails until it is added.
        var state = await Notifications.WaitForResourceAsync(spare, e => Started(e.Snapshot)
                || e.Snapshot.State?.Text == KnownResourceStates.FailedToStart || e.Snapshot.State?.Text == KnownResourceStates.Exited)
            .WaitAsync(ChangeTimeout);
        Assert.True(Started(state.Snapshot), $"{spare} is {state.Snapshot.State?.Text} (exit code {state.Snapshot.ExitCode})");
    }

    /// <summary>A promotion asked for before the learner caught up is refused (409); the command is simply asked again.</summary>
    private Task PromoteAsync(string node) =>
        Eventually.UntilAsync($"{node} to be promoted", ChangeTimeout, async () =>
            (await Commands.ExecuteCommandAsync(node, "kv-promote-member")).Success);

    private async Task WriteKeysAsync(List<int> acknowledged, int from, int to)
    {
        for (var key = from; key < to; key++)
        {
            using var response = await cluster.Gateway.PutAsync($"/kv/replace-{key}", new StringContent($"v{key}"));
            if (response.IsSuccessStatusCode)
                acknowledged.Add(key);
        }
    }

    private async Task AssertAllPresentAsync(string prefix, IEnumerable<int> acknowledged)
    {
        foreach (var key in acknowledged)
        {
            using var response = await cluster.Gateway.GetAsync($"/kv/{prefix}-{key}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"acknowledged write {prefix}-{key} is gone ({response.StatusCode})");
            Assert.Equal($"v{key}", await response.Content.ReadAsStringAsync());
        }
    }

    private static bool Started(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.Running || snapshot.State?.Text == KnownResourceStates.RuntimeUnhealthy;

    private async Task RunAsync(string node, string command)
    {
        var result = await Commands.ExecuteCommandAsync(node, command);
        output.WriteLine($"{command} {node}: {result.Message}");
        Assert.True(result.Success, $"{command} on {node}: {result.Message}");
    }

    private Task<ClusterStatus> PrimaryStatusAsync() =>
        Eventually.ResultAsync("the primary's configuration to have committed", ChangeTimeout, async () =>
        {
            foreach (var node in cluster.Nodes.Values)
            {
                try
                {
                    if (await ClusterFixture.StatusAsync(node) is { Role: Role.Primary, MembershipChanging: false } status)
                        return status;
                }
                catch (HttpRequestException)
                {
                    // a node that is down (the one whose disk died) is not the primary
                }
            }
            return null;
        });

    /// <summary>One write at a time through the gateway, recording each acknowledged key; failures (during a hand-over) are retried with the next key.</summary>
    private async Task WriteAsync(List<int> acknowledged, CancellationToken stop)
    {
        for (var key = 0; !stop.IsCancellationRequested; key++)
        {
            try
            {
                using var response = await cluster.Gateway.PutAsync($"/kv/membership-{key}", new StringContent($"v{key}"), stop);
                if (response.IsSuccessStatusCode)
                {
                    lock (acknowledged)
                        acknowledged.Add(key);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
        }
    }

    private static int Count(List<int> acknowledged)
    {
        lock (acknowledged)
            return acknowledged.Count;
    }
}
