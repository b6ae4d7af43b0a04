using System.Net;
using System.Text.Json;
using KvAspire.Node.Api.Http;
using Xunit.Abstractions;

namespace KvAspire.Node.Tests.Durability;

/// <summary>
/// Three real node processes over gRPC, snapshotting and compacting every 50 entries: the whole cluster
/// killed and restarted keeps every acknowledged write, a secondary whose disk is wiped comes back
/// by receiving the primary's snapshot and ends with the primary's store, and an idempotent write retried
/// across a failover and a restart from snapshots is applied once.
/// </summary>
public sealed class ClusterRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan PrimaryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Storage__SnapshotEntries"] = "50",
        ["Storage__CatchUpEntries"] = "10",
        ["Storage__SegmentBytes"] = "4096",
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kv-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _expected = [];
    private ProcessCluster? _cluster;

    private ProcessCluster Cluster => _cluster ??= new ProcessCluster(_root, Settings);

    [Fact]
    public async Task WholeClusterKilledAndRestarted_KeepsEveryAcknowledgedWrite()
    {
        await Cluster.StartAllAsync();
        var (_, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        await WriteAsync(primary, 0, 300);

        foreach (var id in Cluster.Ids.ToList())
            await Cluster.KillAsync(id);
        await Cluster.StartAllAsync();
        var (primaryId, restarted) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);

        await AssertStoreAsync(primaryId);
        await WaitUntilAllMatchAsync(restarted);
        output.WriteLine($"300 writes survived a whole-cluster SIGKILL; {primaryId} is primary after the restart");
    }

    [Fact]
    public async Task WipedSecondary_ResyncsFromThePrimarysSnapshot_AndEndsWithItsStore()
    {
        await Cluster.StartAllAsync();
        var (primaryId, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        await WriteAsync(primary, 0, 200);
        await WriteAsync(primary, 100, 400); // overwrites half the earlier keys
        await DeleteAsync(primary, 0, 20);
        (primaryId, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        var wiped = Cluster.Ids.First(id => id != primaryId);
        await WaitUntilAllMatchAsync(primary);
        // Wiped while fully caught up: the primary believes it holds every entry, until its rejections say otherwise.
        await Cluster.KillAsync(wiped);
        Directory.Delete(Cluster.Spec(wiped).DataDirectory, recursive: true);

        var primaryStatus = await primary.StatusAsync();
        Assert.True(primaryStatus.GetProperty("logStart").GetInt64() > 1,
            "the primary has not compacted its log, so the wiped node could catch up without a snapshot");
        await Cluster.StartAsync(wiped);
        await WaitUntilAllMatchAsync(primary);
        await AssertCaughtUpFromASnapshotAsync(wiped);

        // The resynced node's store must equal the primary's: make it primary and read every key from it.
        await AssertStoreAsync(wiped);
        output.WriteLine($"{wiped} was wiped, resynced from a snapshot ({primaryId} was primary, log start {primaryStatus.GetProperty("logStart")}), "
            + $"and served all {_expected.Count} keys as primary");
    }

    [Fact]
    public async Task AnIdempotentDelete_RetriedAfterAFailoverAndAWholeClusterRestart_IsAppliedOnce()
    {
        await Cluster.StartAllAsync();
        var (oldPrimary, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        await WriteAsync(primary, 0, 1);
        var (_, first) = await DeleteIdempotentlyAsync(primary, "key-0", "delete-key-0");
        await WriteAsync(primary, 0, 1); // written again after the delete: a retry applied twice would delete this

        await Cluster.KillAsync(oldPrimary);
        (_, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        var (_, afterFailover) = await DeleteIdempotentlyAsync(primary, "key-0", "delete-key-0");
        await WriteAsync(primary, 1, 150); // snapshots and compaction, past the delete's entry
        await Cluster.StartAsync(oldPrimary);
        await WaitUntilAllMatchAsync(primary);
        foreach (var id in Cluster.Ids.ToList())
            await Cluster.KillAsync(id);
        await Cluster.StartAllAsync();
        var (primaryId, restarted) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        var logStart = (await restarted.StatusAsync()).GetProperty("logStart").GetInt64();
        var (node, afterRestart) = await DeleteIdempotentlyAsync(restarted, "key-0", "delete-key-0");

        Assert.False(first.Replayed);
        Assert.True(afterFailover.Replayed);
        Assert.True(afterRestart.Replayed);
        Assert.Equal(first.Body, afterFailover.Body);
        Assert.Equal(first.Body, afterRestart.Body);
        Assert.True(logStart > JsonDocument.Parse(first.Body).RootElement.GetProperty("index").GetInt64(),
            $"{primaryId}'s log starts at {logStart}, so it replayed the delete from its log, not from a snapshot");
        await AssertStoreAsync(Cluster.Ids.Single(id => Cluster[id] == node));
    }

    /// <summary>A DELETE with an <c>Idempotency-Key</c>, sent until acknowledged: its body and whether it repeated an earlier one.</summary>
    private async Task<(NodeProcess Node, (string Body, bool Replayed) Answer)> DeleteIdempotentlyAsync(NodeProcess primary, string key,
        string idempotencyKey)
    {
        (string, bool) answer = default;
        var node = await SendAsync(primary, client => client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/kv/{key}")
        {
            Headers = { { IdempotencyKey.Header, idempotencyKey } },
        }), async response => answer = (await response.Content.ReadAsStringAsync(), response.Headers.Contains(IdempotencyKey.ReplayedHeader)));
        return (node, answer);
    }

    /// <summary>
    /// The node reports a finished catch-up (Syncing ends once it has applied through the primary's commit
    /// index) from a whole snapshot past entry 1, which only a snapshot from the primary can give a wiped
    /// node; its log now starts after that snapshot, which is on its disk.
    /// </summary>
    private async Task AssertCaughtUpFromASnapshotAsync(string id)
    {
        var status = default(JsonElement);
        await ProcessCluster.WaitUntilAsync(async () =>
        {
            status = await Cluster[id].StatusAsync();
            return status.GetProperty("lastSync").ValueKind == JsonValueKind.Object;
        }, CatchUpTimeout, $"{id} to report a finished catch-up from a snapshot");

        var sync = status.GetProperty("lastSync");
        output.WriteLine($"{id} caught up: {sync}");
        Assert.True(sync.GetProperty("snapshotIndex").GetInt64() > 1, $"caught up from {sync}");
        Assert.True(sync.GetProperty("bytesTotal").GetInt64() > 0, $"caught up from {sync}");
        Assert.Equal(sync.GetProperty("bytesTotal").GetInt64(), sync.GetProperty("bytesReceived").GetInt64());
        Assert.True(status.GetProperty("logStart").GetInt64() > 1, $"{id}'s log starts at {status.GetProperty("logStart")}");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Cluster.Spec(id).DataDirectory, "snapshots"), "*.snap"));
    }

    private async Task WriteAsync(NodeProcess primary, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var (key, value) = ($"key-{i}", $"value-{i}-{Guid.NewGuid():N}");
            primary = await SendAsync(primary, client => client.PutAsync($"/kv/{key}", new StringContent(value)));
            _expected[key] = value;
        }
    }

    private async Task DeleteAsync(NodeProcess primary, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            primary = await SendAsync(primary, client => client.DeleteAsync($"/kv/key-{i}"));
            _expected[$"key-{i}"] = null;
        }
    }

    /// <summary>
    /// Sends a write until it is acknowledged, following the primary as a client would: on a loaded machine
    /// the fast test timings can cost the primary its role mid-test, and these writes are idempotent.
    /// Returns the node that acknowledged it.
    /// </summary>
    /// <param name="acknowledged">Reads the answer that acknowledged the write.</param>
    private async Task<NodeProcess> SendAsync(NodeProcess primary, Func<HttpClient, Task<HttpResponseMessage>> write,
        Func<HttpResponseMessage, Task>? acknowledged = null)
    {
        const int attempts = 5;
        var node = primary;
        for (var attempt = 1; ; attempt++)
        {
            using var response = await write(node.Client);
            if (response.IsSuccessStatusCode)
            {
                if (acknowledged is not null)
                    await acknowledged(response);
                return node;
            }
            var refusal = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            Assert.True(attempt < attempts && response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.MisdirectedRequest,
                $"write refused {attempt} times, last: {refusal}");
            output.WriteLine($"write refused ({refusal}); retrying on the current primary");
            (_, node) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
        }
    }

    /// <summary>
    /// Reads every key from node <paramref name="id"/> as primary (only a primary serves reads). On a loaded
    /// machine the fast test timings can cost it the role mid-check: then it is handed back and the read repeated.
    /// </summary>
    private async Task AssertStoreAsync(string id)
    {
        await MakePrimaryAsync(id);
        foreach (var (key, value) in _expected)
        {
            using var get = await ReadFromPrimaryAsync(id, key);
            if (value is null)
            {
                Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(value, await get.Content.ReadAsStringAsync());
        }
        Assert.Equal(_expected.Count(e => e.Value is not null), (await Cluster[id].StatusAsync()).GetProperty("keys").GetInt32());
    }

    private async Task<HttpResponseMessage> ReadFromPrimaryAsync(string id, string key)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var get = await Cluster[id].Client.GetAsync($"/kv/{key}");
            if (attempt == attempts || get.StatusCode is not (HttpStatusCode.MisdirectedRequest or HttpStatusCode.ServiceUnavailable))
                return get;
            output.WriteLine($"{id} refused a read ({(int)get.StatusCode}); handing it the primary role again");
            get.Dispose();
            await MakePrimaryAsync(id);
        }
    }

    /// <summary>Hands the primary role to <paramref name="id"/> (leader transfer), asking again until it serves reads.</summary>
    private async Task MakePrimaryAsync(string id) =>
        await ProcessCluster.WaitUntilAsync(async () =>
        {
            var (primaryId, primary) = await Cluster.WaitForPrimaryAsync(PrimaryTimeout);
            if (primaryId == id)
                return true;
            using var stepDown = await primary.Client.PostAsync($"/cluster/step-down?to={id}", null);
            output.WriteLine($"step-down from {primaryId} to {id}: {(int)stepDown.StatusCode}");
            return false;
        }, PrimaryTimeout, $"{id} as primary");

    /// <summary>Every running node has applied what the primary committed, with the same digest of the applied log.</summary>
    private async Task WaitUntilAllMatchAsync(NodeProcess primary)
    {
        JsonElement[] statuses = [];
        try
        {
            await ProcessCluster.WaitUntilAsync(async () =>
            {
                var reference = await primary.StatusAsync();
                statuses = await Task.WhenAll(Cluster.Ids.Select(async id => await Cluster[id].StatusAsync()));
                return statuses.All(s =>
                    s.GetProperty("appliedIndex").GetInt64() == reference.GetProperty("commitIndex").GetInt64()
                    && s.GetProperty("appliedDigest").GetString() == reference.GetProperty("appliedDigest").GetString()
                    && s.GetProperty("keys").GetInt32() == reference.GetProperty("keys").GetInt32());
            }, CatchUpTimeout, "node set with identical applied state");
        }
        catch (TimeoutException)
        {
            foreach (var status in statuses)
                output.WriteLine(status.ToString());
            throw;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 does not dispose test classes asynchronously, and the
    // processes or host started here must not outlive the test.
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }
}
