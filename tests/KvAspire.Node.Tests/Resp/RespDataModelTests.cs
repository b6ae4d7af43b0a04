namespace KvAspire.Node.Tests.Resp;

/// <summary>Replies and error texts of the data model's commands, byte for byte as Redis 7 answers them.</summary>
public sealed class RespDataModelTests : IAsyncLifetime
{
    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private Task<string> Send(params string[] args) => _node.SendAsync(args);

    [Theory]
    [InlineData("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "EX", "0")]
    [InlineData("-ERR invalid expire time in 'set' command\r\n", "SET", "k", "v", "PX", "-5")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SET", "k", "v", "EX", "ten")]
    [InlineData("-ERR syntax error\r\n", "SET", "k", "v", "EX", "10", "PX", "10")]
    [InlineData("-ERR syntax error\r\n", "SET", "k", "v", "KEEPTTL", "EX", "10")]
    [InlineData("-ERR syntax error\r\n", "SET", "k", "v", "EX")]
    [InlineData("-ERR invalid expire time in 'setex' command\r\n", "SETEX", "k", "0", "v")]
    [InlineData("-ERR invalid expire time in 'expire' command\r\n", "EXPIRE", "k", "9223372036854775807")]
    [InlineData("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n", "EXPIRE", "k", "10", "NX", "GT")]
    [InlineData("-ERR GT and LT options at the same time are not compatible\r\n", "EXPIRE", "k", "10", "GT", "LT")]
    [InlineData("-ERR Unsupported option BOGUS\r\n", "EXPIRE", "k", "10", "BOGUS")]
    [InlineData("-ERR value is not a valid float\r\n", "INCRBYFLOAT", "k", "abc")]
    [InlineData("-ERR decrement would overflow\r\n", "DECRBY", "k", "-9223372036854775808")]
    [InlineData("-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "h", "f", "v", "g")]
    [InlineData("-ERR wrong number of arguments for 'msetnx' command\r\n", "MSETNX", "a", "1", "b")]
    [InlineData("-ERR value is out of range, must be positive\r\n", "LPOP", "l", "-1")]
    [InlineData("-ERR syntax error\r\n", "GETEX", "k", "EX")]
    [InlineData(":-2\r\n", "TTL", "missing")]
    [InlineData("+none\r\n", "TYPE", "missing")]
    [InlineData("$-1\r\n", "GETDEL", "missing")]
    [InlineData("*0\r\n", "LRANGE", "missing", "0", "-1")]
    [InlineData("*-1\r\n", "LPOP", "missing", "2")]
    [InlineData("*0\r\n", "SPOP", "missing", "2")]
    [InlineData("-ERR EXEC without MULTI\r\n", "EXEC")]
    [InlineData("-ERR DISCARD without MULTI\r\n", "DISCARD")]
    public async Task Answers_AsRedisDoes(string expected, params string[] command) => Assert.Equal(expected, await Send(command));

    [Fact]
    public async Task Counters_OverflowAndWrongTypes_AnswerRedisErrors_AndChangeNothing()
    {
        await Send("SET", "n", "9223372036854775806");
        await Send("RPUSH", "list", "a");

        Assert.Equal(":9223372036854775807\r\n", await Send("INCR", "n"));
        Assert.Equal("-ERR increment or decrement would overflow\r\n", await Send("INCR", "n"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("INCR", "list"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("GET", "list"));
        Assert.Equal("$19\r\n9223372036854775807\r\n", await Send("GET", "n"));
        Assert.Equal("+list\r\n", await Send("TYPE", "list"));
    }

    [Fact]
    public async Task SetWithGet_AnswersTheValueItReplaced_AndKeepTtlKeepsTheDeadline()
    {
        await Send("SET", "k", "old", "EX", "100");

        Assert.Equal("$3\r\nold\r\n", await Send("SET", "k", "new", "KEEPTTL", "GET"));
        Assert.Matches(@"^:(99|100)\r\n$", await Send("TTL", "k"));
        Assert.Equal("+OK\r\n", await Send("SET", "k", "plain"));
        Assert.Equal(":-1\r\n", await Send("TTL", "k"));
    }

    [Fact]
    public async Task Multi_QueuesCommands_AndExecAnswersOnePerCommand()
    {
        Assert.Equal("+OK\r\n", await Send("MULTI"));
        Assert.Equal("+QUEUED\r\n", await Send("SET", "a", "1"));
        Assert.Equal("+QUEUED\r\n", await Send("INCR", "a"));
        Assert.Equal("+QUEUED\r\n", await Send("GET", "a"));
        Assert.Equal("+QUEUED\r\n", await Send("LPUSH", "a", "x"));
        Assert.Equal("-ERR MULTI calls can not be nested\r\n", await Send("MULTI"));

        Assert.Equal("*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("EXEC"));
    }

    [Fact]
    public async Task Multi_WithACommandThatFailsItsChecks_IsDiscardedWithExecAbort()
    {
        await Send("MULTI");
        await Send("SET", "tx", "1");
        Assert.Equal("-ERR wrong number of arguments for 'get' command\r\n", await Send("GET"));
        Assert.Equal("-ERR invalid expire time in 'set' command\r\n", await Send("SET", "tx", "2", "EX", "0"));

        Assert.Equal("-EXECABORT Transaction discarded because of previous errors.\r\n", await Send("EXEC"));
        Assert.Equal("$-1\r\n", await Send("GET", "tx"));
    }

    [Fact]
    public async Task Watch_AbortsExec_WhenTheKeyChangedAfterIt()
    {
        await Send("SET", "w", "1");
        Assert.Equal("+OK\r\n", await Send("WATCH", "w", "absent"));
        await Send("SET", "w", "2");
        await Send("MULTI");
        await Send("SET", "w", "3");

        Assert.Equal("*-1\r\n", await Send("EXEC"));
        Assert.Equal("$1\r\n2\r\n", await Send("GET", "w"));

        await Send("WATCH", "w");
        await Send("MULTI");
        await Send("SET", "w", "4");
        Assert.Equal("*1\r\n+OK\r\n", await Send("EXEC"));
        Assert.Equal("+OK\r\n", await Send("MULTI"));
        Assert.Equal("-ERR WATCH inside MULTI is not allowed\r\n", await Send("WATCH", "w"));
        Assert.Equal("+OK\r\n", await Send("DISCARD"));
    }

    [Fact]
    public async Task Transactions_AreBoundedByTheirLimits()
    {
        await using var node = await SingleNodeResp.StartAsync(new KvAspire.Node.Api.LimitsOptions { MaxTransactionCommands = 2 });
        await node.SendAsync("MULTI");
        await node.SendAsync("SET", "a", "1");
        await node.SendAsync("SET", "b", "1");

        Assert.StartsWith("-ERR the transaction has more than 2 commands", await node.SendAsync("SET", "c", "1"));
        Assert.StartsWith("-EXECABORT", await node.SendAsync("EXEC"));
        Assert.Equal("$-1\r\n", await node.SendAsync("GET", "a"));
    }

    [Fact]
    public async Task ElementsPerKey_AreBounded_WithAClearError()
    {
        await using var node = await SingleNodeResp.StartAsync(new KvAspire.Node.Api.LimitsOptions { MaxElementsPerKey = 2, MaxElementBytes = 4 });

        Assert.Equal(":2\r\n", await node.SendAsync("SADD", "s", "a", "b"));
        Assert.StartsWith("-ERR the key would hold more than 2 elements, the limit (Limits:MaxElementsPerKey)", await node.SendAsync("SADD", "s", "c"));
        Assert.StartsWith("-ERR the element is 5 bytes; the limit (Limits:MaxElementBytes) is 4", await node.SendAsync("RPUSH", "l", "12345"));
        Assert.Equal(":2\r\n", await node.SendAsync("SCARD", "s"));
        Assert.Equal(":0\r\n", await node.SendAsync("EXISTS", "l"));
    }

    [Fact]
    public async Task InfoKeyspace_CountsTheKeysWithADeadline()
    {
        await Send("SET", "a", "v", "EX", "100");
        await Send("HSET", "h", "f", "v");
        await Send("EXPIRE", "h", "100");
        await Send("SET", "plain", "v");

        Assert.Contains("db0:keys=3,expires=2,avg_ttl=0\r\n", await Send("INFO", "keyspace"));
        await Send("PERSIST", "h");
        await Send("DEL", "a");
        Assert.Contains("db0:keys=2,expires=0,avg_ttl=0\r\n", await Send("INFO", "keyspace"));
    }

    [Fact]
    public async Task ExpiredKeys_AreAbsentAtOnce_AndLeaveTheStoreThroughTheLog()
    {
        await Send("SET", "gone", "v", "PX", "50");
        await Send("SET", "kept", "v", "PX", "60000");
        await Send("SET", "plain", "v");
        await Task.Delay(100);

        Assert.Equal("$-1\r\n", await Send("GET", "gone"));
        Assert.Equal(":2\r\n", await Send("EXISTS", "gone", "kept", "plain"));
        Assert.NotNull(_node.Store.Get("gone"));
        var indexBefore = _node.Store.AppliedIndex;
        await _node.Expiry.SweepOnceAsync(CancellationToken.None);

        Assert.Null(_node.Store.Get("gone"));
        Assert.NotNull(_node.Store.Get("kept"));
        Assert.Equal(indexBefore + 1, _node.Store.AppliedIndex);
    }
}
