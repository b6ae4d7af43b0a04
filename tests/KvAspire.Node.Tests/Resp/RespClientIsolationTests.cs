using System.Text;

namespace KvAspire.Node.Tests.Resp;

/// <summary>Clients that send malformed streams, on the same node as a client that behaves.</summary>
public sealed class RespClientIsolationTests : IAsyncLifetime
{
    /// <summary>Generous: how long a test waits for the server to answer or to close a connection.</summary>
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] Malformed =
    [
        "*1\r\n$-7\r\n",
        "*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n",
        "*1\r\n+PING\r\n",
        "*+1\r\n$4\r\nPING\r\n",
        "SET \"unbalanced\r\n",
        "*abc\r\n",
    ];

    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task MalformedStreams_CloseOnlyTheirOwnConnections_AnotherClientKeepsGettingCorrectAnswers()
    {
        var good = InMemoryConnection.Open(_node.Handler);
        var random = new Random(5);

        for (var i = 0; i < Malformed.Length; i++)
        {
            var bad = InMemoryConnection.Open(_node.Handler);
            var noise = InMemoryConnection.Open(_node.Handler);
            var bytes = new byte[4096];
            random.NextBytes(bytes);

            await bad.SendAsync(Malformed[i]);
            await noise.SendAsync(bytes);
            await good.SendAsync($"SET k{i} v{i}\r\n*2\r\n$3\r\nGET\r\n$2\r\nk{i}\r\n");

            Assert.Equal($"+OK\r\n$2\r\nv{i}\r\n", await good.ReadLinesAsync(3, ServerTimeout));
            Assert.StartsWith("-ERR Protocol error:", await bad.ReadLinesAsync(1, ServerTimeout));
            await bad.Served.WaitAsync(ServerTimeout);
        }
        await good.SendAsync("DBSIZE\r\n");
        Assert.Equal($":{Malformed.Length}\r\n", await good.ReadLinesAsync(1, ServerTimeout));
        Assert.False(good.Served.IsCompleted);
    }

    [Fact]
    public async Task ARandomStream_IsAnsweredOrRefused_WhileAnotherClientIsServed()
    {
        var good = InMemoryConnection.Open(_node.Handler);
        var noisy = InMemoryConnection.Open(_node.Handler);
        var random = new Random(11);
        var bytes = new byte[64 * 1024];
        random.NextBytes(bytes);

        await noisy.SendAsync(bytes);
        await good.SendAsync(Encoding.ASCII.GetBytes("PING\r\nECHO hello\r\n"));

        Assert.Equal("+PONG\r\n$5\r\nhello\r\n", await good.ReadLinesAsync(3, ServerTimeout));
    }
}
