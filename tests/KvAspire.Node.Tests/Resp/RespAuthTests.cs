using System.Buffers;
using System.Net;
using System.Text;
using KvAspire.Node.Api.Resp;

namespace KvAspire.Node.Tests.Resp;

/// <summary>AUTH and HELLO ... AUTH with a password set, against Redis' replies for requirepass.</summary>
public sealed class RespAuthTests : IAsyncLifetime
{
    private const string Password = "s3cret-pass";
    private const string NoAuth = "-NOAUTH Authentication required.\r\n";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync(password: Password);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("GET", "k")]
    [InlineData("SET", "k", "v")]
    [InlineData("PING")]
    [InlineData("INFO")]
    [InlineData("CLIENT", "SETNAME", "x")]
    public async Task BeforeAuth_EveryCommandButAuthHelloQuit_GetsNoAuth(params string[] command)
    {
        Assert.Equal(NoAuth, await _node.SendAsync(command));
        Assert.False(_node.Session.Authenticated);
    }

    [Fact]
    public async Task Auth_WithThePassword_AuthenticatesTheConnection()
    {
        Assert.Equal("+OK\r\n", await _node.SendAsync("AUTH", Password));

        Assert.True(_node.Session.Authenticated);
        Assert.Equal("+PONG\r\n", await _node.SendAsync("PING"));
    }

    [Fact]
    public async Task Auth_AsTheDefaultUser_AuthenticatesTheConnection()
    {
        Assert.Equal("+OK\r\n", await _node.SendAsync("AUTH", "default", Password));

        Assert.True(_node.Session.Authenticated);
    }

    [Theory]
    [InlineData("AUTH", "wrong")]
    [InlineData("AUTH", "default", "wrong")]
    [InlineData("AUTH", "admin", Password)]
    [InlineData("HELLO", "2", "AUTH", "default", "wrong")]
    public async Task WrongPasswordOrUser_GetsWrongPass_AndStaysUnauthenticated(params string[] command)
    {
        Assert.Equal(WrongPass, await _node.SendAsync(command));

        Assert.False(_node.Session.Authenticated);
        Assert.Equal(NoAuth, await _node.SendAsync("GET", "k"));
    }

    [Fact]
    public async Task Hello_WithoutAuth_IsRefusedWithRedisText_AndWithAuthAnswersTheHandshake()
    {
        var refused = await _node.SendAsync("HELLO", "2");
        var hello = await _node.SendAsync("HELLO", "2", "AUTH", "default", Password, "SETNAME", "app");

        Assert.StartsWith("-NOAUTH HELLO must be called with the client already authenticated", refused);
        Assert.StartsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n", hello);
        Assert.True(_node.Session.Authenticated);
        Assert.Equal("app", _node.Session.Name);
    }

    [Fact]
    public async Task Quit_WorksBeforeAuth()
    {
        Assert.Equal("+OK\r\n", await _node.SendAsync("QUIT"));
        Assert.True(_node.Session.Closing);
    }

    [Fact]
    public async Task TooManyFailures_FromOneAddress_RefusesEvenTheRightPassword_AndClosesTheConnection()
    {
        // The test node allows 3 failures per address per minute; the session has no address, so use one.
        var session = new RespSession(2, IPAddress.Parse("192.0.2.7"), authenticated: false);
        for (var i = 0; i < 3; i++)
            Assert.Equal(WrongPass, await SendAsync(session, "AUTH", "wrong"));

        var blocked = await SendAsync(session, "AUTH", Password);

        Assert.StartsWith("-ERR too many failed authentication attempts from this address; retry in ", blocked);
        Assert.False(session.Authenticated);
        Assert.True(session.Closing);
    }

    private async Task<string> SendAsync(RespSession session, params string[] command)
    {
        var arguments = new RespArguments();
        var request = RespStreams.Multibulk(command.Select(Encoding.UTF8.GetBytes).ToList());
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(request));
        RespReader.TryRead(ref reader, arguments, RespStreams.Limits, out _);
        var output = new ArrayBufferWriter<byte>();
        await _node.Commands.ExecuteAsync(session, arguments, output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
