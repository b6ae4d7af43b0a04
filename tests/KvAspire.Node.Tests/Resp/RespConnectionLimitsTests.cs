using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

/// <summary>
/// Hostile clients against the real connection handler (in-memory connections): protected mode,
/// the limits before authentication, maximum clients, idle and authentication timeouts, and a client
/// that never reads its replies. Each one ends with the server closing that connection.
/// </summary>
public sealed class RespConnectionLimitsTests : IAsyncLifetime
{
    private const string Password = "s3cret-pass";
    /// <summary>Generous: how long a test waits for the server to answer or to close a connection.</summary>
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(200);

    private readonly List<SingleNodeResp> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
    }

    private async Task<RespConnectionHandler> HandlerAsync(string? password = null, RespOptions? options = null)
    {
        var node = await SingleNodeResp.StartAsync(password: password, respOptions: options);
        _nodes.Add(node);
        return node.Handler;
    }

    [Fact]
    public async Task ProtectedMode_NoPassword_RefusesARemoteClientWithDenied_AndServesLoopback()
    {
        var handler = await HandlerAsync();

        var remote = InMemoryConnection.Open(handler, remote: "10.1.2.3");
        var local = InMemoryConnection.Open(handler, remote: "::ffff:127.0.0.1");
        await local.SendAsync("PING\r\n");

        Assert.StartsWith("-DENIED Redis is running in protected mode", await remote.ReadLinesAsync(1, ServerTimeout));
        await remote.Served.WaitAsync(ServerTimeout);
        Assert.Equal("+PONG\r\n", await local.ReadLinesAsync(1, ServerTimeout));
        Assert.False(local.Served.IsCompleted);
    }

    [Fact]
    public async Task WithAPassword_ARemoteClientIsServed_OnceAuthenticated()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(Password), remote: "10.1.2.3");

        await client.SendAsync($"AUTH {Password}\r\nPING\r\n");

        Assert.Equal("+OK\r\n+PONG\r\n", await client.ReadLinesAsync(2, ServerTimeout));
    }

    [Theory]
    [InlineData("*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")]
    [InlineData("*2147483647\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")]
    [InlineData("*2\r\n$4\r\nAUTH\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n")]
    [InlineData("a b c d e f g h i j k\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n")]
    public async Task BeforeAuth_MoreThan10ArgumentsOrAnArgumentOver16KiB_IsRefusedAndDisconnected(string request, string error)
    {
        var client = InMemoryConnection.Open(await HandlerAsync(Password));

        await client.SendAsync(request);

        Assert.Equal(error, await client.ReadLinesAsync(1, ServerTimeout));
        await client.Served.WaitAsync(ServerTimeout);
    }

    [Fact]
    public async Task BeforeAuth_10ArgumentsOf16KiB_AreRead_AndAnsweredNoAuth_AfterAuthLargerCommandsAreServed()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(Password));
        var arguments = Enumerable.Repeat(new byte[16 * 1024], 9).Prepend("EXISTS"u8.ToArray()).ToList();
        var eleven = Enumerable.Range(0, 10).Select(i => System.Text.Encoding.ASCII.GetBytes($"k{i}")).Prepend("EXISTS"u8.ToArray()).ToList();

        await client.SendAsync(RespStreams.Multibulk(arguments));
        var before = await client.ReadLinesAsync(1, ServerTimeout);
        await client.SendAsync($"AUTH {Password}\r\n");
        await client.SendAsync(RespStreams.Multibulk(eleven));

        Assert.Equal("-NOAUTH Authentication required.\r\n", before);
        Assert.Equal("+OK\r\n:0\r\n", await client.ReadLinesAsync(2, ServerTimeout));
    }

    [Fact]
    public async Task MaxClients_TheClientBeyondTheLimitIsRefusedWithRedisError()
    {
        var handler = await HandlerAsync(options: new RespOptions { MaxClients = 1 });
        var first = InMemoryConnection.Open(handler);
        await first.SendAsync("PING\r\n");
        Assert.Equal("+PONG\r\n", await first.ReadLinesAsync(1, ServerTimeout));

        var second = InMemoryConnection.Open(handler);

        Assert.Equal("-ERR max number of clients reached\r\n", await second.ReadLinesAsync(1, ServerTimeout));
        await second.Served.WaitAsync(ServerTimeout);
        Assert.False(first.Served.IsCompleted);
    }

    [Fact]
    public async Task IdleTimeout_ClosesASilentClient()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(options: new RespOptions { IdleTimeout = ShortTimeout }));

        await client.Served.WaitAsync(ServerTimeout);

        Assert.True(client.Served.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AuthTimeout_ClosesAClientThatTricklesBytesWithoutAuthenticating()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(Password, new RespOptions { AuthTimeout = ShortTimeout }));

        // A slowloris client: every byte resets an idle timer, but not the authentication deadline.
        while (!client.Served.IsCompleted)
        {
            await client.SendAsync("P");
            await Task.WhenAny(client.Served, Task.Delay(ShortTimeout / 4));
        }

        await client.Served.WaitAsync(ServerTimeout);
    }

    [Fact]
    public async Task SlowClient_ThatNeverReadsItsReplies_IsDisconnected()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(options: new RespOptions { SlowClientTimeout = ShortTimeout }));
        var echo = RespStreams.Multibulk(["ECHO"u8.ToArray(), new byte[16 * 1024]]);

        // 1.6 MB of replies against a 64 KiB reply buffer, none of it read.
        await client.SendAsync([.. Enumerable.Repeat(echo, 100).SelectMany(request => request)]);

        await client.Served.WaitAsync(ServerTimeout);
        Assert.True(client.Context.ConnectionClosed.WaitHandle.WaitOne(ServerTimeout), "the connection was not aborted");
    }

    [Fact]
    public async Task QueryBuffer_OverTheLimit_ClosesTheConnectionWithoutAReply_LikeRedis()
    {
        var handler = await HandlerAsync(options: new RespOptions { MaxQueryBufferBytes = 64 * 1024 });
        var over = InMemoryConnection.Open(handler);
        var under = InMemoryConnection.Open(handler);
        // Each argument is under the bulk limit (the query buffer), but the command's sum is not.
        var start = $"*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$50000\r\n{new string('x', 50_000)}\r\n$1\r\nb\r\n$50000\r\n";

        // Both MSETs are still arriving: 80 kB waiting unparsed is over the 64 KiB limit, 60 kB is not.
        await over.SendAsync(start + new string('x', 30_000));
        await under.SendAsync(start + new string('x', 10_000));
        await over.Served.WaitAsync(ServerTimeout);
        await under.SendAsync(new string('x', 40_000) + "\r\n");

        Assert.Equal("", over.ReadAvailable());
        Assert.Equal("+OK\r\n", await under.ReadLinesAsync(1, ServerTimeout));
    }

    [Fact]
    public async Task ACommandLargerThanTheTransportReadsAhead_IsServed_AndTheCommandsPipelinedAfterIt()
    {
        var client = InMemoryConnection.Open(await HandlerAsync(), requestBufferBytes: InMemoryConnection.KestrelReadBufferBytes);
        var big = new string('b', 3 * InMemoryConnection.KestrelReadBufferBytes);
        var request = RespStreams.Multibulk([.. new[] { "SET", "big", big }.Select(System.Text.Encoding.ASCII.GetBytes)])
            .Concat(RespStreams.Multibulk([.. new[] { "SET", "small", "s" }.Select(System.Text.Encoding.ASCII.GetBytes)]))
            .Concat(RespStreams.Multibulk([.. new[] { "GET", "small" }.Select(System.Text.Encoding.ASCII.GetBytes)]))
            .Concat(RespStreams.Multibulk([.. new[] { "STRLEN", "big" }.Select(System.Text.Encoding.ASCII.GetBytes)])).ToArray();

        // Sent in 64 KiB pieces, as a socket delivers them. The transport reads ahead at most 1 MiB that the server has not
        // looked at; the server looks at a command still arriving without taking it, so the rest of it still comes in.
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < request.Length; offset += 64 * 1024)
                await client.SendAsync(request[offset..Math.Min(request.Length, offset + 64 * 1024)]);
        });

        Assert.Equal($"+OK\r\n+OK\r\n$1\r\ns\r\n:{big.Length}\r\n", await client.ReadLinesAsync(5, ServerTimeout));
        await sending.WaitAsync(ServerTimeout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task InlineLine_OverTheLimit_IsAnsweredWithRedisError_AndClosed(bool withNewline)
    {
        var client = InMemoryConnection.Open(await HandlerAsync());

        await client.SendAsync("GET " + new string('a', 64 * 1024) + (withNewline ? "\r\n" : ""));

        Assert.Equal("-ERR Protocol error: too big inline request\r\n", await client.ReadLinesAsync(1, ServerTimeout));
        await client.Served.WaitAsync(ServerTimeout);
    }

    [Fact]
    public async Task LargeMget_IsSentAsItIsWritten_NotHeldWholeInMemory()
    {
        var node = await SingleNodeResp.StartAsync();
        _nodes.Add(node);
        const int keys = 16;
        var value = new string('v', 1024 * 1024);
        for (var i = 0; i < keys; i++)
            Assert.Equal("+OK\r\n", await node.SendAsync("SET", $"big{i}", value));
        var client = InMemoryConnection.Open(node.Handler);
        var expected = $"*{keys}\r\n" + string.Concat(Enumerable.Repeat($"${value.Length}\r\n{value}\r\n", keys));

        await client.SendAsync(RespStreams.Multibulk([.. Enumerable.Range(0, keys).Select(i => System.Text.Encoding.ASCII.GetBytes($"big{i}"))
            .Prepend("MGET"u8.ToArray())]));
        var reply = await client.ReadBytesAsync(expected.Length, ServerTimeout);

        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(reply));
        // 16 MiB of reply; what waited unsent at any time was at most one flush threshold plus one value.
        Assert.InRange(client.ServerOutput.MaxUnflushedBytes, 0, RespConnectionOutput.FlushThreshold + 2 * value.Length);
    }
}
