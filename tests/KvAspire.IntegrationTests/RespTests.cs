using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>StackExchange.Redis, unchanged, against the nodes' RESP endpoints.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RespTests(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>The defaults of Limits:MaxValueBytes and Resp:MaxQueryBufferBytes, which the AppHost leaves as they are.</summary>
    private const int MaxValueBytes = 16 * 1024 * 1024;
    private const int MaxQueryBufferBytes = 64 * 1024 * 1024;
    private const int BatchedValueBytes = 64 * 1024;
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);
    /// <summary>Generous: a node restarted by the failover test JIT-compiles its RESP path on first use, on a busy machine.</summary>
    private static readonly TimeSpan RawReplyTimeout = TimeSpan.FromSeconds(30);
    private const string AuthOk = "+OK\r\n";

    /// <summary>
    /// 0, 1, and every power of two with its neighbours, up to exactly the value limit: written and read
    /// back byte for byte through the cluster. Small values go in one pipelined batch, large ones one by one.
    /// </summary>
    [Fact]
    public async Task Strings_OfEverySizeClass_UpToExactlyTheLimit_RoundTrip()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();
        var random = new Random(5);
        var sizes = Enumerable.Range(1, 24).SelectMany(bit => new[] { (1 << bit) - 1, 1 << bit, (1 << bit) + 1 })
            .Prepend(1).Prepend(0).Where(size => size <= MaxValueBytes).Distinct().Order().ToList();
        Assert.Equal(MaxValueBytes, sizes[^1]);
        var values = sizes.ToDictionary(size => size, size =>
        {
            var value = new byte[size];
            random.NextBytes(value);
            return value;
        });

        var small = sizes.Where(size => size <= BatchedValueBytes).ToList();
        var read = await RetryAsync($"a batch of {small.Count} values up to {BatchedValueBytes} bytes", async () =>
        {
            var batch = db.CreateBatch();
            var sets = small.Select(size => batch.StringSetAsync($"resp-size:{size}", values[size])).ToList();
            var gets = small.Select(size => batch.StringGetAsync($"resp-size:{size}")).ToList();
            batch.Execute();
            Assert.All(await Task.WhenAll(sets), Assert.True);
            return await Task.WhenAll(gets);
        });
        for (var i = 0; i < small.Count; i++)
        {
            Assert.False(read[i].IsNull, $"the {small[i]}-byte value is missing");
            Assert.True(values[small[i]].AsSpan().SequenceEqual((byte[]?)read[i]), $"the {small[i]}-byte value came back different");
        }

        foreach (var size in sizes.Where(size => size > BatchedValueBytes))
        {
            // SET is idempotent, so repeating it rides out an election a large entry may cause on a busy machine.
            Assert.True(await RetryAsync($"SET of {size} bytes", () => db.StringSetAsync($"resp-size:{size}", values[size])));
            var value = await RetryAsync($"GET of {size} bytes", async () => (byte[]?)await db.StringGetAsync($"resp-size:{size}"));
            Assert.True(values[size].AsSpan().SequenceEqual(value), $"the {size}-byte value came back different");
        }
    }

    [Fact]
    public async Task Value_OneByteOverTheLimit_IsRefusedNamingTheLimit_AndTheConnectionKeepsWorking()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();

        var refused = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("resp-too-big", new byte[MaxValueBytes + 1]));

        Assert.Equal($"ERR the value is {MaxValueBytes + 1} bytes; the limit (Limits:MaxValueBytes) is {MaxValueBytes}", refused.Message);
        Assert.True((await db.StringGetAsync("resp-too-big")).IsNull);
        Assert.True(await RetryAsync("a SET after the refusal", () => db.StringSetAsync("resp-after-too-big", "v")));
        Assert.Equal("v", (string?)await db.StringGetAsync("resp-after-too-big"));
    }

    [Fact]
    public async Task BulkLongerThanTheQueryBuffer_IsAProtocolError()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        var reply = await RawRequestAsync(primary.Node, $"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${MaxQueryBufferBytes + 1}\r\n");

        Assert.Equal("-ERR Protocol error: invalid bulk length\r\n", reply);
    }

    [Fact]
    public async Task BinaryValues_WithEveryByteAndProtocolCharacters_RoundTrip()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(primary.Node);
        var db = redis.GetDatabase();
        var everyByte = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var protocolLike = Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n-ERR\r\n\0");

        await db.StringSetAsync("resp-binary:every-byte", everyByte);
        await db.StringSetAsync("resp-binary:protocol", protocolLike);

        Assert.Equal(everyByte, (byte[]?)await db.StringGetAsync("resp-binary:every-byte"));
        Assert.Equal(protocolLike, (byte[]?)await db.StringGetAsync("resp-binary:protocol"));
    }

    [Fact]
    public async Task PipelinedBatch_IsAnsweredInOrder_AndMultiKeyCommandsWork()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();
        const int count = 500;
        var prefix = $"resp-batch-{Guid.NewGuid():N}:";

        // The whole batch is repeated if an election interrupts it (its SETs are idempotent).
        var values = await RetryAsync("a pipelined batch", async () =>
        {
            var batch = db.CreateBatch();
            var sets = Enumerable.Range(0, count).Select(i => batch.StringSetAsync(prefix + i, $"v{i}")).ToList();
            var gets = Enumerable.Range(0, count).Select(i => batch.StringGetAsync(prefix + i)).ToList();
            batch.Execute();
            Assert.All(await Task.WhenAll(sets), Assert.True);
            return await Task.WhenAll(gets);
        });
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}"), values.Select(v => (string?)v));

        await db.StringSetAsync([new(prefix + "a", "1"), new(prefix + "b", "2")]);
        var many = await db.StringGetAsync([prefix + "a", prefix + "b", prefix + "missing"]);
        Assert.Equal(["1", "2", null], many.Select(v => (string?)v));
        Assert.Equal(2, await db.KeyExistsAsync([prefix + "a", prefix + "b", prefix + "missing"]));
        Assert.Equal(2, await db.KeyDeleteAsync([prefix + "a", prefix + "b", prefix + "missing"]));
        Assert.False(await db.StringSetAsync(prefix + "0", "again", when: When.NotExists));
        Assert.True(await db.StringSetAsync(prefix + "0", "again", when: When.Exists));
        Assert.Equal("again", (string?)await db.StringGetAsync(prefix + "0"));
    }

    [Fact]
    public async Task Scan_VisitsEveryKeyOnce_WithMatch()
    {
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var prefix = $"resp-scan-{Guid.NewGuid():N}:";
        var db = redis.GetDatabase();

        // An election on a busy machine (the fast profile's 300 ms timeout) can move the primary between
        // the MSET and the last SCAN page; a scan only promises every key once within one primary's run,
        // so the whole MSET (idempotent) and SCAN start again on the new primary.
        var keys = await RetryAsync("MSET, then SCAN on the primary", async () =>
        {
            var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
            await db.StringSetAsync(Enumerable.Range(0, 120).Select(i => new KeyValuePair<RedisKey, RedisValue>(prefix + i, i)).ToArray());
            var server = redis.GetServer(cluster.RespEndpoint(primary.Node));
            return server.Keys(pattern: prefix + "*", pageSize: 7).Select(k => (string)k!).ToList();
        });

        Assert.Equal(120, keys.Count);
        Assert.Equal(120, keys.Distinct().Count());
    }

    [Fact]
    public async Task Transactions_CommitAsOneEntry_AndTheConnectionKeepsWorking()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(primary.Node);
        var db = redis.GetDatabase();

        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists("resp-tx:k"));
        _ = transaction.StringSetAsync("resp-tx:k", "v");
        var counted = transaction.StringIncrementAsync("resp-tx:n");
        var committed = await transaction.ExecuteAsync();

        Assert.True(committed);
        Assert.Equal(1, await counted);
        Assert.Equal("v", (string?)await db.StringGetAsync("resp-tx:k"));
        Assert.Equal("PONG", (await db.ExecuteAsync("PING")).ToString());
    }

    [Fact]
    public async Task Secondary_RefusesDataCommandsNamingThePrimary_AndReportsItsRole()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var secondary = ClusterFixture.NodeNames.First(n => n != primary.Node);
        var primaryAddress = cluster.RespEndpoint(primary.Node);

        var set = await RawCommandAsync(secondary, "SET", "resp-secondary", "v");
        var get = await RawCommandAsync(secondary, "GET", "resp-secondary");
        var role = await RawCommandAsync(secondary, "ROLE");
        var info = await RawCommandAsync(secondary, "INFO", "replication");

        Assert.StartsWith("-READONLY You can't write against a read only replica.", set);
        Assert.Contains($"{primary.Node} at {primaryAddress}", set);
        Assert.StartsWith("-READONLY", get);
        Assert.Contains($"{primary.Node} at {primaryAddress}", get);
        Assert.StartsWith("*5\r\n$5\r\nslave\r\n", role);
        Assert.Contains("role:slave", info);
        Assert.Contains($"master_port:{primaryAddress.Split(':')[1]}", info);
    }

    [Fact]
    public async Task Wait_CountsTheSecondariesThatHaveTheClientsLastWrite()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(primary.Node);
        var db = redis.GetDatabase();

        // WAIT is per connection, so the write and the WAIT must share one: a batch sends them together.
        var batch = db.CreateBatch();
        var set = batch.StringSetAsync("resp-wait", "v");
        var wait = batch.ExecuteAsync("WAIT", 2, 5000);
        batch.Execute();

        Assert.True(await set);
        Assert.Equal(2, (long)await wait);
    }

    [Fact]
    public async Task Multiplexer_GivenAllNodes_KeepsWritingAfterThePrimaryIsKilled()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();
        Assert.True(await RetryAsync("a write before the kill", () => db.StringSetAsync("resp-failover:before", "1")));

        var clock = Stopwatch.StartNew();
        ClusterFixture.Kill(before.ProcessId);
        try
        {
            // The test only repeats the write; finding the new primary is the client's own doing.
            Assert.True(await RetryAsync("a write after the primary was killed", () => db.StringSetAsync("resp-failover:after", "2")));
            output.WriteLine($"kill -> first successful RESP write: {clock.ElapsedMilliseconds} ms");
            Assert.Equal("1", (string?)await db.StringGetAsync("resp-failover:before"));
            Assert.Equal("2", (string?)await db.StringGetAsync("resp-failover:after"));
        }
        finally
        {
            // Other tests in the collection expect three nodes.
            await cluster.StartAsync(before.Node, RejoinTimeout);
            await cluster.WaitForSettledClusterAsync(RejoinTimeout);
        }
    }

    [Fact]
    public async Task ADeadlineAndALock_SurviveThePrimarysKill_AndTheKeyExpiresOnTimeAfterIt()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        await using var redis = await cluster.ConnectRedisAsync(ClusterFixture.NodeNames);
        var db = redis.GetDatabase();
        var lifetime = FailoverTimeout + TimeSpan.FromSeconds(10);
        // The primary fixes the deadline when it proposes the write: after `sent`, before `acknowledged` (an attempt
        // that timed out may still have been applied, so the earliest is the first attempt's).
        var sent = DateTime.UtcNow;
        Assert.True(await RetryAsync("a key with a deadline", () => db.StringSetAsync("resp-failover:px", "v", lifetime)));
        var acknowledged = DateTime.UtcNow;
        output.WriteLine($"SET PX acknowledged {(acknowledged - sent).TotalMilliseconds:0} ms after it was first sent");
        Assert.True(await RetryAsync("a lock", () => db.LockTakeAsync("resp-failover:lock", "holder", TimeSpan.FromMinutes(5))));

        ClusterFixture.Kill(before.ProcessId);
        try
        {
            Assert.False(await RetryAsync("taking the lock after the kill", () => db.LockTakeAsync("resp-failover:lock", "thief", TimeSpan.FromMinutes(5))));
            Assert.Equal("holder", (string?)await RetryAsync("the lock's holder", () => db.LockQueryAsync("resp-failover:lock")));
            var left = await RetryAsync("the key's time to live", () => db.KeyTimeToLiveAsync("resp-failover:px"));
            Assert.True(left is { } ttl && ttl <= lifetime && ttl > TimeSpan.Zero, $"time to live after the failover: {left}");

            while (DateTime.UtcNow < sent + lifetime - TimeSpan.FromMilliseconds(500))
                await Task.Delay(100);
            Assert.Equal("v", (string?)await RetryAsync("the key before its deadline", () => db.StringGetAsync("resp-failover:px")));
            while (DateTime.UtcNow < acknowledged + lifetime + TimeSpan.FromMilliseconds(200))
                await Task.Delay(50);
            Assert.True((await RetryAsync("the key after its deadline", () => db.StringGetAsync("resp-failover:px"))).IsNull);
            Assert.True(await RetryAsync("releasing the lock", () => db.LockReleaseAsync("resp-failover:lock", "holder")));
        }
        finally
        {
            await cluster.StartAsync(before.Node, RejoinTimeout);
            await cluster.WaitForSettledClusterAsync(RejoinTimeout);
        }
    }

    /// <summary>
    /// Repeats <paramref name="attempt"/> while the cluster is between primaries (server refusals,
    /// connection errors, timeouts) until <see cref="FailoverTimeout"/>; fails naming the last error.
    /// </summary>
    private async Task<T> RetryAsync<T>(string what, Func<Task<T>> attempt)
    {
        var clock = Stopwatch.StartNew();
        var retries = 0;
        while (true)
        {
            try
            {
                var result = await attempt();
                if (retries > 0)
                    output.WriteLine($"{what}: succeeded after {retries} retries, {clock.ElapsedMilliseconds} ms");
                return result;
            }
            catch (Exception e) when (e is RedisException or TimeoutException && clock.Elapsed < FailoverTimeout)
            {
                retries++;
                output.WriteLine($"{what}: {e.GetType().Name}: {e.Message.Split(" - ")[0]}");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>One command over a plain socket, bypassing the client's routing; returns the raw reply.</summary>
    private Task<string> RawCommandAsync(string node, params string[] args)
    {
        var request = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
            request.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        return RawRequestAsync(node, request.ToString());
    }

    /// <summary>
    /// Authenticates, then sends <paramref name="request"/> as it is (named apart so a one-word command
    /// never binds here); returns what follows AUTH's +OK.
    /// </summary>
    private async Task<string> RawRequestAsync(string node, string request)
    {
        var address = cluster.RespEndpoint(node).Split(':');
        using var client = new TcpClient();
        await client.ConnectAsync(address[0], int.Parse(address[1]));
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"AUTH {cluster.Password}\r\n{request}"));
        using var timeout = new CancellationTokenSource(RawReplyTimeout);
        var buffer = new byte[64 * 1024];
        var read = 0;
        try
        {
            while (read <= AuthOk.Length)
            {
                var received = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (received == 0)
                    throw new IOException($"{node} closed the connection after {Encoding.UTF8.GetString(buffer, 0, read)}");
                read += received;
            }
        }
        catch (OperationCanceledException)
        {
            var status = await ClusterFixture.StatusAsync(cluster.Nodes[node]);
            throw new TimeoutException($"{node} ({status?.Role}, term {status?.Term}) sent no reply to {request.ReplaceLineEndings(" ")} " +
                $"within {RawReplyTimeout.TotalSeconds} s");
        }
        var reply = Encoding.UTF8.GetString(buffer, 0, read);
        Assert.StartsWith(AuthOk, reply);
        return reply[AuthOk.Length..];
    }
}
