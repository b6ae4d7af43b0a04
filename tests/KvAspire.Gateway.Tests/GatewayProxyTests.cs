using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;
using KvAspire.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KvAspire.Gateway.Tests;

/// <summary>The real gateway pipeline (as composed in Program.cs) in front of three fake nodes.</summary>
public sealed class GatewayProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan LearnDeadline = TimeSpan.FromSeconds(5);

    private FakeNode[] nodes = [];
    private WebApplication? gateway;
    private HttpClient client = new();

    private FakeNode Node1 => nodes[0];
    private FakeNode Node2 => nodes[1];
    private FakeNode Node3 => nodes[2];

    public async Task InitializeAsync() =>
        nodes = await Task.WhenAll(new[] { "node1", "node2", "node3" }.Select(FakeNode.StartAsync));

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
    public async Task WithAPassword_ClientsNeedTheToken_AndTheGatewayPollsAndForwardsWithIt()
    {
        const string password = "cluster-password";
        foreach (var node in nodes)
        {
            node.RequiredToken = password;
        }
        Node1.BecomePrimary(term: 1);
        await StartGatewayAsync(pollInterval: TimeSpan.FromMilliseconds(100), password);
        // Learning the primary at all means the polls of the nodes' /cluster carried the token.
        await WaitForPrimaryAsync("node1");
        using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };

        using var refused = await anonymous.PutAsync("/kv/a", new ByteArrayContent([1]));
        using var accepted = await client.PutAsync("/kv/a", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("unauthorized", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(Node1.Accepted);
    }

    [Fact]
    public async Task Write_GoesToThePrimaryOnly()
    {
        Node2.BecomePrimary(term: 2);
        Node1.Follow(Node2);
        Node3.Follow(Node2);
        await StartGatewayAsync(pollInterval: TimeSpan.FromMilliseconds(100));
        await WaitForPrimaryAsync("node2");

        var response = await client.PutAsync("/kv/user:1", new ByteArrayContent("{\"name\":\"Ada\"}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var accepted = Assert.Single(Node2.Accepted);
        Assert.Equal(("PUT", "user:1"), (accepted.Method, accepted.Key));
        Assert.Empty(Node1.Accepted);
        Assert.Empty(Node1.Refused);
        Assert.Empty(Node3.Refused);
    }

    [Fact]
    public async Task PrimaryThatIsGone_BeforeAPollNotices_Gets503NoPrimary_Not502()
    {
        Node1.BecomePrimary(term: 2);
        Node2.Follow(Node1);
        Node3.Follow(Node1);
        await StartGatewayAsync(pollInterval: TimeSpan.FromSeconds(10));
        await WaitForPrimaryAsync("node1");
        await Node1.DisposeAsync(); // its port now refuses connections; the tracker has not polled since

        var response = await client.PutAsync("/kv/a", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal(ApiError.ContentType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, body.GetProperty("status").GetInt32());
        Assert.Equal("no_primary", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("detail").GetString()));
        // The tracker stopped routing to the dead node at once, without waiting for its next poll.
        Assert.Null((await client.GetFromJsonAsync<JsonElement>("/cluster")).GetProperty("primary").GetString());
    }

    [Fact]
    public async Task PrimaryThatDropsARequestItReceived_Gets502OutcomeUnknown_WithABody()
    {
        Node1.BecomePrimary(term: 2);
        Node2.Follow(Node1);
        Node3.Follow(Node1);
        Node1.DropRequests = true;
        await StartGatewayAsync(pollInterval: TimeSpan.FromSeconds(10));
        await WaitForPrimaryAsync("node1");

        var response = await client.PutAsync("/kv/a", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("outcome_unknown", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task NoPrimary_Answers503_WithRetryAfter()
    {
        await StartGatewayAsync(pollInterval: TimeSpan.FromMilliseconds(100));
        await WaitForPolledAsync();

        var response = await client.PutAsync("/kv/a", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("no_primary", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.All(nodes, node => Assert.Empty(node.Refused));
    }

    [Fact]
    public async Task Metrics_CountRequestsByStatus_AndTimeWithoutAPrimary()
    {
        Node1.BecomePrimary(term: 1);
        await StartGatewayAsync(pollInterval: TimeSpan.FromMilliseconds(100));
        await WaitForPrimaryAsync("node1");
        using var metrics = new GatewayMetricsRecorder(gateway!.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

        (await client.PutAsync("/kv/a", new ByteArrayContent([1]))).Dispose();
        Node1.Role = Role.Candidate;
        Node1.Term = 2;
        Node1.KnownPrimary = null;
        await WaitForPrimaryAsync(null);
        (await client.PutAsync("/kv/a", new ByteArrayContent([1]))).Dispose();
        Node2.BecomePrimary(term: 2);
        await WaitForPrimaryAsync("node2");

        Assert.Equal(1, metrics.Requests(200));
        Assert.Equal(1, metrics.Requests(503));
        var window = Assert.Single(metrics.WithoutPrimary);
        Assert.InRange(window, 0.0, LearnDeadline.TotalSeconds * 2);
    }

    [Fact]
    public async Task NotPrimary_IsResentToTheNamedPrimary_WithTheSameBody()
    {
        Node1.BecomePrimary(term: 1);
        Node2.Follow(Node1);
        Node3.Follow(Node1);
        // Polls far apart and the change held back from them, so only the 421's hint can move the gateway to the new primary.
        await StartGatewayAsync(pollInterval: TimeSpan.FromSeconds(10));
        await WaitForPrimaryAsync("node1");
        foreach (var node in new[] { Node1, Node2, Node3 })
        {
            node.HoldChanges = true;
        }
        Node2.BecomePrimary(term: 2);
        Node1.Follow(Node2);
        Node3.Follow(Node2);
        var value = new byte[1024 * 1024];
        Random.Shared.NextBytes(value);

        var response = await client.PutAsync("/kv/a/b", new ByteArrayContent(value));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["a/b"], Node1.Refused);
        var accepted = Assert.Single(Node2.Accepted);
        Assert.Equal(value, accepted.Body);
        Assert.Equal("node2", await GatewayPrimaryAsync());
    }

    [Fact]
    public async Task NotPrimary_WithNoPrimaryNamed_Answers503()
    {
        Node1.BecomePrimary(term: 1);
        await StartGatewayAsync(pollInterval: TimeSpan.FromSeconds(10));
        await WaitForPrimaryAsync("node1");
        // Held back from the gateway's long poll: the request itself finds the node no longer primary.
        Node1.HoldChanges = true;
        Node1.Role = Role.Candidate;
        Node1.Term = 2;
        Node1.KnownPrimary = null;

        var response = await client.GetAsync("/kv/a");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(["a"], Node1.Refused);
    }

    [Fact]
    public async Task Cluster_ReportsEveryNode_AndMarksDeadOnesUnreachable()
    {
        Node1.BecomePrimary(term: 3);
        Node2.Follow(Node1);
        await Node3.DisposeAsync();
        await StartGatewayAsync(pollInterval: TimeSpan.FromMilliseconds(100));
        await WaitForPrimaryAsync("node1");

        // Each node is polled on its own loop: wait for node3's first (failed) poll, not only node1's.
        var elapsed = Stopwatch.StartNew();
        JsonElement status;
        while (!(status = await client.GetFromJsonAsync<JsonElement>("/cluster")).GetProperty("nodes").EnumerateArray()
                   .Any(node => node.GetProperty("node").GetString() == "node3" && node.TryGetProperty("error", out _)))
        {
            Assert.True(elapsed.Elapsed < LearnDeadline, $"gateway did not report node3 unreachable within {LearnDeadline}");
            await Task.Delay(20);
        }

        Assert.Equal("node1", status.GetProperty("primary").GetString());
        Assert.Equal(3, status.GetProperty("term").GetInt64());
        var reported = status.GetProperty("nodes").EnumerateArray().ToDictionary(node => node.GetProperty("node").GetString()!);
        Assert.Equal("Primary", reported["node1"].GetProperty("role").GetString());
        Assert.Equal("Secondary", reported["node2"].GetProperty("role").GetString());
        Assert.Equal("unreachable", reported["node3"].GetProperty("error").GetString());
        // Every node's addresses, a dead one's too, so a reader can reach any node directly (README's tour).
        foreach (var node in new[] { Node1, Node2, Node3 })
        {
            var endpoints = reported[node.Name].GetProperty("endpoints");
            Assert.Equal(node.Address.ToString(), endpoints.GetProperty("http").GetString());
        }
    }

    private async Task StartGatewayAsync(TimeSpan pollInterval, string? password = null)
    {
        gateway = await TestGateway.StartAsync(nodes
            .Select(node => KeyValuePair.Create($"services:{node.Name}:http:0", (string?)node.Address.ToString()))
            .Append(KeyValuePair.Create("Gateway:PollInterval", (string?)pollInterval.ToString()))
            // Generous, so the first poll cannot time out on a busy machine: some tests poll only once.
            .Append(KeyValuePair.Create("Gateway:PollTimeout", (string?)"00:00:05"))
            .Append(KeyValuePair.Create("Auth:Password", password)));
        client = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
        if (password is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", password);
        }
    }

    private async Task<string?> GatewayPrimaryAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/cluster")).GetProperty("primary").GetString();

    private async Task WaitForPrimaryAsync(string? expected)
    {
        var elapsed = Stopwatch.StartNew();
        while (await GatewayPrimaryAsync() != expected)
        {
            Assert.True(elapsed.Elapsed < LearnDeadline, $"gateway did not learn primary {expected} within {LearnDeadline}");
            await Task.Delay(20);
        }
    }

    private async Task WaitForPolledAsync()
    {
        var elapsed = Stopwatch.StartNew();
        while ((await client.GetFromJsonAsync<JsonElement>("/cluster")).GetProperty("nodes").EnumerateArray()
               .Any(node => node.TryGetProperty("error", out _)))
        {
            Assert.True(elapsed.Elapsed < LearnDeadline, $"gateway did not poll every node within {LearnDeadline}");
            await Task.Delay(20);
        }
    }
}
