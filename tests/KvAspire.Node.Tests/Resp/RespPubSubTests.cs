namespace KvAspire.Node.Tests.Resp;

/// <summary>Publish/subscribe as Redis answers it on RESP2, over real connections to one node.</summary>
public sealed class RespPubSubTests : IAsyncLifetime
{
    /// <summary>Generous: how long a test waits for the server to answer or to close a connection.</summary>
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(10);

    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Subscribe_ConfirmsEachChannel_WithTheConnectionsSubscriptionCount()
    {
        var reply = await _node.SendAsync("SUBSCRIBE", "a", "b", "a");

        Assert.Equal("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n" +
                     "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n" +
                     "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n", reply);
    }

    [Fact]
    public async Task SubscribedConnection_RefusesDataCommands_AndAnswersPingAsAnArray()
    {
        await _node.SendAsync("SUBSCRIBE", "a");

        Assert.Equal("-ERR Can't execute 'get': only (P)SUBSCRIBE / (P)UNSUBSCRIBE / PING / QUIT are allowed in this context\r\n",
            await _node.SendAsync("GET", "k"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$0\r\n\r\n", await _node.SendAsync("PING"));
        Assert.Equal("*2\r\n$4\r\npong\r\n$5\r\nhello\r\n", await _node.SendAsync("PING", "hello"));
    }

    [Fact]
    public async Task Unsubscribe_WithoutChannels_LeavesEveryOne_ThenTheConnectionServesCommandsAgain()
    {
        await _node.SendAsync("SUBSCRIBE", "a", "b");
        await _node.SendAsync("PSUBSCRIBE", "p*");

        var channels = await _node.SendAsync("UNSUBSCRIBE");
        var patterns = await _node.SendAsync("PUNSUBSCRIBE");
        var none = await _node.SendAsync("UNSUBSCRIBE");

        // One confirmation per channel, counting down what is left (the pattern stays until PUNSUBSCRIBE).
        Assert.Contains("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n", channels);
        Assert.Contains("*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n", channels);
        Assert.Equal(2, channels.Split("unsubscribe").Length - 1);
        Assert.EndsWith(":1\r\n", channels);
        Assert.Equal("*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n", patterns);
        Assert.Equal("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", none);
        Assert.Equal("+PONG\r\n", await _node.SendAsync("PING"));
    }

    [Fact]
    public async Task Publish_ReachesSubscribersOfTheChannelAndOfMatchingPatterns_WithoutThemAsking()
    {
        var listener = InMemoryConnection.Open(_node.Handler);
        var watcher = InMemoryConnection.Open(_node.Handler);
        var publisher = InMemoryConnection.Open(_node.Handler);
        await listener.SendAsync("SUBSCRIBE news\r\n");
        await watcher.SendAsync("PSUBSCRIBE n*\r\n");
        await listener.ReadLinesAsync(6, ServerTimeout);
        await watcher.ReadLinesAsync(6, ServerTimeout);

        await publisher.SendAsync("PUBLISH news hello\r\nPUBLISH other x\r\n");

        Assert.Equal(":2\r\n:0\r\n", await publisher.ReadLinesAsync(2, ServerTimeout));
        Assert.Equal("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", await listener.ReadLinesAsync(7, ServerTimeout));
        Assert.Equal("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n", await watcher.ReadLinesAsync(9, ServerTimeout));
    }

    [Fact]
    public async Task ClosedSubscriber_IsForgotten()
    {
        var listener = InMemoryConnection.Open(_node.Handler);
        await listener.SendAsync("SUBSCRIBE gone\r\n");
        await listener.ReadLinesAsync(6, ServerTimeout);

        await listener.SendAsync("QUIT\r\n");
        await listener.Served.WaitAsync(ServerTimeout);

        Assert.Equal(":0\r\n", await _node.SendAsync("PUBLISH", "gone", "x"));
    }

    [Fact]
    public async Task Subscribe_WithoutAChannel_IsAnArityError()
    {
        Assert.Equal("-ERR wrong number of arguments for 'subscribe' command\r\n", await _node.SendAsync("SUBSCRIBE"));
        Assert.Equal("-ERR wrong number of arguments for 'publish' command\r\n", await _node.SendAsync("PUBLISH", "a"));
    }
}
