using System.Text.RegularExpressions;

namespace KvAspire.Node.Tests.Resp;

/// <summary>Sorted-set commands' replies and error texts, byte for byte as redis-server 7.0.15 answered the same commands
/// (bench/zset-differential.sh compares many more, against a running Redis).</summary>
public sealed class RespSortedSetTests : IAsyncLifetime
{
    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private Task<string> Send(params string[] args) => _node.SendAsync(args);

    [Theory]
    [InlineData("-ERR XX and NX options at the same time are not compatible\r\n", "ZADD", "z", "NX", "XX", "1", "a")]
    [InlineData("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", "ZADD", "z", "GT", "LT", "1", "a")]
    [InlineData("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", "ZADD", "z", "NX", "GT", "1", "a")]
    [InlineData("-ERR INCR option supports a single increment-element pair\r\n", "ZADD", "z", "INCR", "1", "a", "2", "b")]
    [InlineData("-ERR syntax error\r\n", "ZADD", "z", "CH", "NX")]
    [InlineData("-ERR syntax error\r\n", "ZADD", "z", "1", "a", "2")]
    [InlineData("-ERR value is not a valid float\r\n", "ZADD", "z", "nan", "a")]
    [InlineData("-ERR value is not a valid float\r\n", "ZADD", "z", " 1", "a")]
    [InlineData("-ERR value is not a valid float\r\n", "ZADD", "z", "1e400", "a")]
    [InlineData("-ERR value is not a valid float\r\n", "ZINCRBY", "z", "abc", "a")]
    [InlineData("-ERR wrong number of arguments for 'zadd' command\r\n", "ZADD", "z", "1")]
    [InlineData("-ERR min or max is not a float\r\n", "ZCOUNT", "z", " (1", "5")]
    [InlineData("-ERR min or max is not a float\r\n", "ZRANGEBYSCORE", "z", "a", "5")]
    [InlineData("-ERR min or max not valid string range item\r\n", "ZLEXCOUNT", "z", "a", "+")]
    [InlineData("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", "ZRANGE", "z", "0", "-1", "LIMIT", "0", "1")]
    [InlineData("-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", "ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES")]
    [InlineData("-ERR syntax error\r\n", "ZRANGEBYSCORE", "z", "1", "2", "REV")]
    [InlineData("-ERR syntax error\r\n", "ZRANGE", "z", "0", "1", "LIMIT", "0")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "ZRANGE", "z", "a", "1")]
    [InlineData("-ERR value is out of range, must be positive\r\n", "ZPOPMIN", "z", "-1")]
    [InlineData("-ERR value is out of range, must be positive\r\n", "ZPOPMIN", "z", "x")]
    [InlineData("-ERR syntax error\r\n", "ZPOPMIN", "z", "1", "2")]
    [InlineData("*0\r\n", "ZPOPMIN", "missing")]
    [InlineData("*0\r\n", "ZRANGE", "missing", "0", "-1")]
    [InlineData("$-1\r\n", "ZSCORE", "missing", "a")]
    [InlineData("*2\r\n$-1\r\n$-1\r\n", "ZMSCORE", "missing", "a", "b")]
    [InlineData(":0\r\n", "ZADD", "missing", "XX", "1", "a")]
    [InlineData("$-1\r\n", "ZADD", "missing", "XX", "INCR", "1", "a")]
    public async Task Answers_AsRedisDoes(string expected, params string[] command) => Assert.Equal(expected, await Send(command));

    [Fact]
    public async Task Scores_ArePrintedAsRedisPrintsThem()
    {
        await Send("ZADD", "z", "1", "one", "1.5", "half", "1.1", "tenth", "1e20", "big", "1e-5", "small", "-inf", "lo", "+inf", "hi", "-0", "zero");

        Assert.Equal("*16\r\n$2\r\nlo\r\n$4\r\n-inf\r\n$4\r\nzero\r\n$1\r\n0\r\n$5\r\nsmall\r\n$22\r\n1.0000000000000001e-05\r\n$3\r\none\r\n$1\r\n1\r\n"
            + "$5\r\ntenth\r\n$18\r\n1.1000000000000001\r\n$4\r\nhalf\r\n$3\r\n1.5\r\n$3\r\nbig\r\n$5\r\n1e+20\r\n$2\r\nhi\r\n$3\r\ninf\r\n",
            await Send("ZRANGE", "z", "0", "-1", "WITHSCORES"));
        Assert.Equal("$18\r\n2.1000000000000001\r\n", await Send("ZINCRBY", "z", "1", "tenth"));
        Assert.Equal("$3\r\n2.5\r\n", await Send("ZADD", "z", "INCR", "1", "half"));
        Assert.Equal("-ERR resulting score is not a number (NaN)\r\n", await Send("ZINCRBY", "z", "-inf", "hi"));
    }

    [Fact]
    public async Task Ranges_ByScoreAndMember_ReversedAndLimited()
    {
        await Send("ZADD", "z", "1", "a", "1", "b", "2", "c", "2.5", "d");
        await Send("ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");

        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nd\r\n", await Send("ZRANGE", "z", "(1", "+inf", "BYSCORE"));
        Assert.Equal("*2\r\n$1\r\nd\r\n$1\r\nc\r\n", await Send("ZREVRANGEBYSCORE", "z", "+inf", "(1"));
        Assert.Equal("*2\r\n$1\r\nc\r\n$1\r\nb\r\n", await Send("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"));
        Assert.Equal("*1\r\n$1\r\nb\r\n", await Send("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1", "1"));
        Assert.Equal("*2\r\n$1\r\nd\r\n$1\r\nc\r\n", await Send("ZREVRANGE", "z", "0", "1"));
        Assert.Equal("*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", await Send("ZRANGEBYLEX", "lex", "(a", "[d"));
        Assert.Equal("*2\r\n$1\r\nd\r\n$1\r\nc\r\n", await Send("ZRANGE", "lex", "[d", "-", "BYLEX", "REV", "LIMIT", "0", "2"));
        Assert.Equal(":4\r\n", await Send("ZLEXCOUNT", "lex", "[b", "+"));
        Assert.Equal(":3\r\n", await Send("ZCOUNT", "z", "1", "(2.5"));
        Assert.Equal(":2\r\n", await Send("ZRANK", "z", "c"));
        Assert.Equal(":0\r\n", await Send("ZREVRANK", "z", "d"));
    }

    [Fact]
    public async Task PopsAndRemovals_DeleteTheKeyWhenItEmpties()
    {
        await Send("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");

        Assert.Equal("*2\r\n$1\r\na\r\n$1\r\n1\r\n", await Send("ZPOPMIN", "z"));
        Assert.Equal("*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n", await Send("ZPOPMAX", "z", "2"));
        Assert.Equal(":1\r\n", await Send("ZREMRANGEBYSCORE", "z", "-inf", "+inf"));
        Assert.Equal(":0\r\n", await Send("EXISTS", "z"));
        await Send("ZADD", "z", "0", "a", "0", "b", "0", "c");
        Assert.Equal(":2\r\n", await Send("ZREMRANGEBYLEX", "z", "[a", "(c"));
        Assert.Equal(":1\r\n", await Send("ZREMRANGEBYRANK", "z", "0", "-1"));
        Assert.Equal("+none\r\n", await Send("TYPE", "z"));
    }

    [Fact]
    public async Task CommandsAcrossTypes_SeeSortedSets()
    {
        await Send("ZADD", "z", "1", "a");
        await Send("SET", "s", "x");

        Assert.Equal("+zset\r\n", await Send("TYPE", "z"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$1\r\nz\r\n", await Send("SCAN", "0", "TYPE", "zset"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("ZADD", "s", "1", "a"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("GET", "z"));
        Assert.Equal("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", await Send("ZSCAN", "s", "0"));
        Assert.Equal(":1\r\n", await Send("EXPIRE", "z", "100"));
        Assert.Equal(":100\r\n", await Send("TTL", "z"));
        Assert.Equal(":1\r\n", await Send("ZADD", "z", "2", "b"));
        Assert.Equal(":100\r\n", await Send("TTL", "z"));
        Assert.Equal(":1\r\n", await Send("DEL", "z"));
        Assert.Equal(":0\r\n", await Send("EXISTS", "z"));
    }

    [Fact]
    public async Task Zscan_PagesThroughEveryMemberWithItsScore()
    {
        var members = Enumerable.Range(0, 50).SelectMany(i => new[] { i.ToString(), "m" + i }).ToArray();
        await Send(["ZADD", "z", .. members]);

        var seen = new Dictionary<string, string>();
        var cursor = "0";
        do
        {
            var page = Regex.Matches(await Send("ZSCAN", "z", cursor, "COUNT", "7"), @"\$\d+\r\n([^\r]*)\r\n").Select(m => m.Groups[1].Value).ToList();
            cursor = page[0];
            for (var i = 1; i < page.Count; i += 2)
                seen[page[i]] = page[i + 1];
        }
        while (cursor != "0");

        Assert.Equal(50, seen.Count);
        Assert.Equal("42", seen["m42"]);
    }

    [Fact]
    public async Task Transactions_HoldSortedSetWritesAndReads_AndWatchSeesTheirChanges()
    {
        await Send("MULTI");
        await Send("ZADD", "z", "1", "a");
        await Send("ZINCRBY", "z", "2", "a");
        await Send("ZRANGE", "z", "0", "-1", "WITHSCORES");
        await Send("ZPOPMIN", "z");
        Assert.Equal("+QUEUED\r\n", await Send("ZCARD", "z"));
        Assert.Equal("*5\r\n:1\r\n$1\r\n3\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n:0\r\n", await Send("EXEC"));

        await Send("ZADD", "w", "1", "a");
        await Send("WATCH", "w");
        await Send("ZADD", "w", "1", "a"); // changes nothing, so the watch holds, as in Redis
        await Send("MULTI");
        await Send("ZCARD", "w");
        Assert.Equal("*1\r\n:1\r\n", await Send("EXEC"));
        await Send("WATCH", "w");
        await Send("ZADD", "w", "2", "a");
        await Send("MULTI");
        await Send("ZCARD", "w");
        Assert.Equal("*-1\r\n", await Send("EXEC"));
    }

    [Fact]
    public async Task ElementsPerKeyAndElementSize_AreBounded_WithAClearError()
    {
        await using var node = await SingleNodeResp.StartAsync(new KvAspire.Node.Api.LimitsOptions { MaxElementsPerKey = 2, MaxElementBytes = 4 });

        Assert.Equal(":2\r\n", await node.SendAsync("ZADD", "z", "1", "a", "2", "b"));
        Assert.StartsWith("-ERR the key would hold more than 2 elements, the limit (Limits:MaxElementsPerKey)", await node.SendAsync("ZADD", "z", "3", "c"));
        Assert.StartsWith("-ERR the element is 5 bytes; the limit (Limits:MaxElementBytes) is 4", await node.SendAsync("ZADD", "y", "1", "12345"));
        Assert.Equal(":2\r\n", await node.SendAsync("ZCARD", "z"));
        Assert.Equal(":0\r\n", await node.SendAsync("EXISTS", "y"));
    }
}
