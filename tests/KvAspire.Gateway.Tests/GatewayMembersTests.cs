using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KvAspire.Node.Consensus;
using Microsoft.AspNetCore.Builder;

namespace KvAspire.Gateway.Tests;

/// <summary>
/// Members that change at runtime: node1-node3 are <c>services:</c> entries, node4 is known only by name, through the
/// template (its fake answers under <c>/node4</c> on its own port, so the template names the node in the path).
/// </summary>
public sealed class GatewayMembersTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const string AdminSecret = "admin-secret";

    private FakeNode[] nodes = [];
    private WebApplication? gateway;
    private HttpClient client = new();

    private FakeNode Node1 => nodes[0];
    private FakeNode Node2 => nodes[1];
    private FakeNode Node3 => nodes[2];
    private FakeNode Node4 => nodes[3];

    public async Task InitializeAsync() =>
        nodes = await Task.WhenAll(new[] { "node1", "node2", "node3", "node4" }.Select(FakeNode.StartAsync));

    public async Task DisposeAsync()
    {
        client.Dispose();
        if (gateway is not null)
        {
            await gateway.DisposeAsync();
        }
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task FoundingMembers_AndATemplate_AreEnoughToFindThePrimary()
    {
        Node4.BecomePrimary(term: 1);
        Node4.Voters = ["node4"];

        await StartGatewayAsync([KeyValuePair.Create("Cluster:Members:0", (string?)"node4")]);

        await WaitUntilAsync(async () => await PrimaryAsync() == "node4", "node4 primary");
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/kv/a", new ByteArrayContent([1]))).StatusCode);
        Assert.Single(Node4.Accepted);
    }

    [Fact]
    public async Task AMemberThePrimaryNames_IsWatched_AndReceivesWritesOnceItIsPrimary()
    {
        FoundedByNode1(learners: ["node4"]);
        await StartGatewayAsync();

        var watched = await WaitForReachableAsync("node4");
        Node1.Follow(Node4);
        Node4.BecomePrimary(term: 2);
        await WaitUntilAsync(async () => await PrimaryAsync() == "node4", "node4 primary");
        using var response = await client.PutAsync("/kv/user:1", new ByteArrayContent([1, 2]));

        Assert.Equal(Node4.Address + "node4", watched.GetProperty("endpoints").GetProperty("http").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var accepted = Assert.Single(Node4.Accepted);
        Assert.Equal(("PUT", "user:1"), (accepted.Method, accepted.Key));
    }

    [Fact]
    public async Task ALearntMember_IsDropped_OnceThePrimarysConfigurationWithoutItHasCommitted_AndASeedNever()
    {
        FoundedByNode1(learners: ["node4"]);
        await StartGatewayAsync();
        await WaitForReachableAsync("node4");

        // node3 (a seed) and node4 leave; while the change is under way a new primary could still undo it.
        Node1.Voters = ["node1", "node2"];
        Node1.Learners = [];
        Node1.MembershipChanging = true;
        await WaitUntilAsync(async () => (await ReportOfAsync("node1")).GetProperty("membershipChanging").GetBoolean(), "the change seen");
        Assert.Contains("node4", await NodeNamesAsync());

        Node1.MembershipChanging = false;
        await WaitUntilAsync(async () => !(await NodeNamesAsync()).Contains("node4"), "node4 dropped");

        Assert.Equal(["node1", "node2", "node3"], await NodeNamesAsync());
    }

    [Fact]
    public async Task MalformedNames_InANodesAnswer_AreIgnored()
    {
        FoundedByNode1(learners: ["node4", "../admin", "node 5", new string('x', 64)]);
        Node1.Voters = [.. Node1.Voters, "http://evil:1/"];

        await StartGatewayAsync();
        await WaitForReachableAsync("node4");

        Assert.Equal(["node1", "node2", "node3", "node4"], await NodeNamesAsync());
    }

    [Fact]
    public async Task TheMembersApi_IsForwardedToThePrimary_WithTheAdminSecret()
    {
        Node2.BecomePrimary(term: 2);
        Node1.Follow(Node2);
        Node3.Follow(Node2);
        await StartGatewayAsync([KeyValuePair.Create("Admin:Secret", (string?)AdminSecret)]);
        await WaitUntilAsync(async () => await PrimaryAsync() == "node2", "node2 primary");
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminSecret);

        using var refused = await anonymous.PostAsJsonAsync("/cluster/members", new { id = "node4" });
        using var added = await client.PostAsJsonAsync("/cluster/members", new { id = "node4" });
        using var promoted = await client.PostAsync("/cluster/members/node4/promote", null);
        using var listed = await client.GetAsync("/cluster/members");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.All(new[] { added, promoted, listed }, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(
            [("POST", "/cluster/members", $"Bearer {AdminSecret}"), ("POST", "/cluster/members/node4/promote", $"Bearer {AdminSecret}"),
             ("GET", "/cluster/members", $"Bearer {AdminSecret}")],
            Node2.AdminRequests);
        Assert.All(new[] { Node1, Node3 }, node => Assert.Empty(node.AdminRequests));
    }

    /// <summary>node1 primary at term 1 of the founding members node1-node3, and these learners; node4 follows it.</summary>
    private void FoundedByNode1(string[] learners)
    {
        Node1.BecomePrimary(term: 1);
        Node1.Voters = ["node1", "node2", "node3"];
        Node1.Learners = learners;
        foreach (var node in new[] { Node2, Node3, Node4 })
        {
            node.Follow(Node1);
        }
    }

    private async Task StartGatewayAsync(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        gateway = await TestGateway.StartAsync(new[] { Node1, Node2, Node3 }
            .Select(node => KeyValuePair.Create($"services:{node.Name}:http:0", (string?)node.Address.ToString()))
            .Append(KeyValuePair.Create("Gateway:NodeAddressTemplate", (string?)(Node4.Address + "{id}")))
            .Append(KeyValuePair.Create("Gateway:PollInterval", (string?)"00:00:00.100"))
            .Append(KeyValuePair.Create("Gateway:PollTimeout", (string?)"00:00:05"))
            .Concat(settings ?? []));
        client = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
    }

    private async Task<JsonElement> ClusterAsync() => await client.GetFromJsonAsync<JsonElement>("/cluster");

    private async Task<string?> PrimaryAsync() => (await ClusterAsync()).GetProperty("primary").GetString();

    private async Task<List<string>> NodeNamesAsync() =>
        [.. (await ClusterAsync()).GetProperty("nodes").EnumerateArray().Select(node => node.GetProperty("node").GetString()!)];

    private async Task<JsonElement> ReportOfAsync(string name) =>
        (await ClusterAsync()).GetProperty("nodes").EnumerateArray().Single(node => node.GetProperty("node").GetString() == name);

    /// <summary>Waits until the gateway's /cluster shows <paramref name="name"/> with its own report; returns its entry.</summary>
    private async Task<JsonElement> WaitForReachableAsync(string name)
    {
        JsonElement? found = null;
        await WaitUntilAsync(async () =>
        {
            found = (await ClusterAsync()).GetProperty("nodes").EnumerateArray()
                .Where(node => node.GetProperty("node").GetString() == name && node.TryGetProperty("role", out _))
                .Select(node => (JsonElement?)node).FirstOrDefault();
            return found is not null;
        }, $"{name} watched");
        return found!.Value;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(elapsed.Elapsed < Deadline, $"not {what} within {Deadline}");
            await Task.Delay(20);
        }
    }
}
