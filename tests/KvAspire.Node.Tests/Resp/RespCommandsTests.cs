using System.Text;

namespace KvAspire.Node.Tests.Resp;

/// <summary>Replies and error texts, checked byte for byte against what Redis 7 answers.</summary>
public sealed class RespCommandsTests : IAsyncLifetime
{
    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Mset_IsOneLogEntry_SoItsKeysAreWrittenTogether()
    {
        Assert.Equal("+OK\r\n", await _node.SendAsync("SET", "before", "0"));

        Assert.Equal("+OK\r\n", await _node.SendAsync("MSET", "a", "1", "b", "2", "c", "3", "a", "4"));

        // A value's revision is the index of the entry that wrote it.
        var revisions = new[] { "a", "b", "c" }.Select(key => _node.Store.Get(key)!.Revision).Distinct();
        Assert.Equal(_node.Store.Get("before")!.Revision + 1, Assert.Single(revisions));
        Assert.Equal("*3\r\n$1\r\n4\r\n$1\r\n2\r\n$1\r\n3\r\n", await _node.SendAsync("MGET", "a", "b", "c"));
    }

    [Theory]
    [InlineData("-ERR wrong number of arguments for 'get' command\r\n", "GET")]
    [InlineData("-ERR wrong number of arguments for 'get' command\r\n", "get", "a", "b")]
    [InlineData("-ERR wrong number of arguments for 'set' command\r\n", "SET", "k")]
    [InlineData("-ERR wrong number of arguments for 'mset' command\r\n", "MSET", "a", "1", "b")]
    [InlineData("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b")]
    [InlineData("-ERR wrong number of arguments for 'wait' command\r\n", "WAIT", "1")]
    [InlineData("-ERR wrong number of arguments for 'config|get' command\r\n", "CONFIG", "GET")]
    [InlineData("-ERR unknown command 'FOO', with args beginning with: 'a' 'b c' \r\n", "FOO", "a", "b c")]
    [InlineData("-ERR unknown command 'foo', with args beginning with: \r\n", "foo")]
    [InlineData("-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n", "CONFIG", "NOPE")]
    [InlineData("-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n", "CLIENT", "nope")]
    [InlineData("-ERR syntax error\r\n", "SET", "k", "v", "NX", "XX")]
    [InlineData("-ERR syntax error\r\n", "SET", "k", "v", "BOGUS")]
    [InlineData("-ERR DB index is out of range\r\n", "SELECT", "1")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SELECT", "x")]
    [InlineData("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "secret")]
    [InlineData("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "bob", "secret")]
    [InlineData("-NOPROTO unsupported protocol version\r\n", "HELLO", "3")]
    [InlineData("-ERR unknown command 'a  b', with args beginning with: ' ' 'c  ' \r\n", "a\r\nb", "\n", "c\n\r")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SELECT", "01")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SELECT", "+0")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SELECT", "-0")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "SELECT", " 0")]
    [InlineData("-ERR value is not an integer or out of range\r\n", "WAIT", "+1", "0")]
    [InlineData("-ERR invalid cursor\r\n", "SCAN", " 0")]
    [InlineData("-ERR invalid cursor\r\n", "SCAN", "0 ")]
    [InlineData("-ERR invalid cursor\r\n", "SCAN", "+")]
    [InlineData("-ERR invalid cursor\r\n", "SCAN", "18446744073709551616")]
    [InlineData("-ERR invalid cursor\r\n", "SCAN", "x")]
    [InlineData("-ERR timeout is negative\r\n", "WAIT", "1", "-1")]
    [InlineData("-ERR This instance has cluster support disabled\r\n", "CLUSTER", "NODES")]
    public async Task Errors_UseRedisExactTexts(string expected, params string[] command) =>
        Assert.Equal(expected, await _node.SendAsync(command));

    [Fact]
    public async Task UnknownCommand_QuotesArgumentsUpTo128Bytes_LikeRedis()
    {
        // redis-server 7.0's reply to the same command, byte for byte.
        var expected = $"-ERR unknown command '{new string('n', 128)}', with args beginning with: " +
            $"'{new string('x', 100)}' '{new string('y', 25)}' \r\n";

        Assert.Equal(expected, await _node.SendAsync(new string('n', 130), new string('x', 100), new string('y', 50), "z"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("18446744073709551615")]
    [InlineData("01")]
    [InlineData("+0")]
    [InlineData("-0")]
    [InlineData("")]
    public async Task ScanCursors_ThatRedisAccepts_AreAccepted(string cursor)
    {
        await _node.SendAsync("SET", "k", "v");

        Assert.StartsWith("*2\r\n", await _node.SendAsync("SCAN", cursor));
    }

    [Fact]
    public async Task Info_OfAnUnknownSection_IsAnEmptyBulk() =>
        Assert.Equal("$0\r\n\r\n", await _node.SendAsync("INFO", "nosuchsection"));

    [Fact]
    public async Task ConnectionCommands_AnswerLikeRedis()
    {
        Assert.Equal("+PONG\r\n", await _node.SendAsync("PING"));
        Assert.Equal("$2\r\nhi\r\n", await _node.SendAsync("ping", "hi"));
        Assert.Equal("$3\r\na b\r\n", await _node.SendAsync("ECHO", "a b"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("SELECT", "0"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("CLIENT", "SETNAME", "tester"));
        Assert.Equal("$6\r\ntester\r\n", await _node.SendAsync("CLIENT", "GETNAME"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("CLIENT", "SETINFO", "lib-name", "x"));
        Assert.Equal(":1\r\n", await _node.SendAsync("CLIENT", "ID"));
        Assert.StartsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n", await _node.SendAsync("HELLO", "2"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("QUIT"));
        Assert.True(_node.Session.Closing);
    }

    [Fact]
    public async Task StringCommands_FollowRedisSemantics()
    {
        Assert.Equal("$-1\r\n", await _node.SendAsync("GET", "k"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("SET", "k", "v1"));
        Assert.Equal("$2\r\nv1\r\n", await _node.SendAsync("GET", "k"));
        Assert.Equal("$-1\r\n", await _node.SendAsync("SET", "k", "v2", "NX"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("SET", "k", "v2", "XX"));
        Assert.Equal("$-1\r\n", await _node.SendAsync("SET", "missing", "v", "XX"));
        Assert.Equal("$2\r\nv2\r\n", await _node.SendAsync("SET", "k", "v3", "GET"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("SET", "n", "1", "nx", "KEEPTTL"));
        Assert.Equal("+OK\r\n", await _node.SendAsync("MSET", "a", "1", "b", "2"));
        Assert.Equal("*3\r\n$1\r\n1\r\n$-1\r\n$2\r\nv3\r\n", await _node.SendAsync("MGET", "a", "missing", "k"));
        Assert.Equal(":3\r\n", await _node.SendAsync("EXISTS", "a", "a", "b", "missing"));
        Assert.Equal(":4\r\n", await _node.SendAsync("DBSIZE"));
        Assert.Equal(":2\r\n", await _node.SendAsync("DEL", "a", "b", "missing"));
        Assert.Equal(":2\r\n", await _node.SendAsync("DBSIZE"));
        Assert.Equal("*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n", await _node.SendAsync("SCAN", "0", "MATCH", "k*", "COUNT", "100"));
    }

    [Fact]
    public async Task ValueAtTheLimit_RoundTrips_AndOneByteMoreIsRefusedNamingTheLimit()
    {
        var limit = new KvAspire.Node.Api.LimitsOptions().MaxValueBytes;
        var value = new string('v', limit);

        Assert.Equal("+OK\r\n", await _node.SendAsync("SET", "big", value));
        var reply = await _node.SendAsync("GET", "big");
        Assert.Equal(limit + $"${limit}\r\n\r\n".Length, reply.Length);
        Assert.Equal($"-ERR the value is {limit + 1} bytes; the limit (Limits:MaxValueBytes) is {limit}\r\n",
            await _node.SendAsync("SET", "big", value + "v"));
    }

    [Fact]
    public async Task BulkLongerThanTheQueryBuffer_IsAProtocolError()
    {
        var queryBuffer = new KvAspire.Node.Api.Resp.RespOptions().MaxQueryBufferBytes;

        var reply = await _node.SendRawAsync(Encoding.ASCII.GetBytes($"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${queryBuffer + 1}\r\n"));

        Assert.Equal("ERR Protocol error: invalid bulk length", reply);
    }

    [Fact]
    public async Task Unlink_DeletesLikeDel()
    {
        await _node.SendAsync("SET", "u", "1");

        Assert.Equal(":1\r\n", await _node.SendAsync("UNLINK", "u", "missing"));
    }

    [Fact]
    public async Task SetNx_SetsOnlyAbsentKeys()
    {
        Assert.Equal(":1\r\n", await _node.SendAsync("SETNX", "once", "1"));
        Assert.Equal(":0\r\n", await _node.SendAsync("SETNX", "once", "2"));
        Assert.Equal("$1\r\n1\r\n", await _node.SendAsync("GET", "once"));
    }

    [Fact]
    public async Task Pipeline_IsAnsweredInOrder()
    {
        var request = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\np\r\n$1\r\n1\r\nGET p\r\n*1\r\n$4\r\nPING\r\n");

        Assert.Equal("+OK\r\n$1\r\n1\r\n+PONG\r\n", await _node.SendRawAsync(request));
    }

    [Fact]
    public async Task Wait_WithNoSecondaries_ReturnsZeroAtOnce()
    {
        await _node.SendAsync("SET", "w", "1");

        Assert.Equal(":0\r\n", await _node.SendAsync("WAIT", "0", "100"));
        Assert.Equal(":0\r\n", await _node.SendAsync("WAIT", "1", "50"));
    }

    [Fact]
    public async Task InfoAndRole_ReportAPrimary()
    {
        var info = await _node.SendAsync("INFO");

        Assert.Contains("role:master", info);
        Assert.Contains("redis_version:", info);
        Assert.Contains("# Keyspace", info);
        Assert.Contains("# Clients", info);
        Assert.StartsWith("*3\r\n$6\r\nmaster\r\n", await _node.SendAsync("ROLE"));
        Assert.StartsWith(":", await _node.SendAsync("COMMAND", "COUNT"));
        Assert.StartsWith("*4\r\n$9\r\ndatabases\r\n$1\r\n1\r\n", await _node.SendAsync("CONFIG", "GET", "databases", "slave-read-only"));
    }

    [Fact]
    public async Task InvalidUtf8Key_IsRefused()
    {
        var request = RespStreams.Multibulk([Encoding.ASCII.GetBytes("SET"), [0xff, 0xfe], Encoding.ASCII.GetBytes("v")]);

        Assert.Equal("-ERR KvAspire keys must be valid UTF-8\r\n", await _node.SendRawAsync(request));
    }
}
