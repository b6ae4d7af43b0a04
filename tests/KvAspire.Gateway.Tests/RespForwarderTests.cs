using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;

namespace KvAspire.Gateway.Tests;

/// <summary>The gateway's RESP endpoint (Gateway:RespPort) in front of three fake nodes with fake RESP ports.</summary>
public sealed class RespForwarderTests : IAsyncLifetime
{
    /// <summary>Generous: how long a test waits for the gateway to forward, learn a primary or close a connection.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private FakeNode[] nodes = [];
    private FakeRespServer[] respServers = [];
    private WebApplication? gateway;
    private int respPort;

    public async Task InitializeAsync()
    {
        string[] names = ["node1", "node2", "node3"];
        nodes = await Task.WhenAll(names.Select(FakeNode.StartAsync));
        respServers = [.. names.Select(name => new FakeRespServer(name))];
    }

    public async Task DisposeAsync()
    {
        if (gateway is not null)
            await gateway.DisposeAsync();
        foreach (var node in nodes)
            await node.DisposeAsync();
        foreach (var server in respServers)
            await server.DisposeAsync();
    }

    [Fact]
    public async Task Connection_ReachesThePrimary_AndEveryByteGoesBothWaysUnchanged()
    {
        nodes[1].BecomePrimary(term: 2);
        await StartGatewayAsync(primaryWait: Deadline);
        using var client = await ConnectAsync();
        var bytes = new byte[256 * 1024];
        new Random(7).NextBytes(bytes);

        Assert.Equal("+node2\r\n", await ReadTextAsync(client, "+node2\r\n".Length));
        await client.GetStream().WriteAsync(bytes);
        var echoed = await ReadBytesAsync(client, bytes.Length);

        Assert.Equal(bytes, echoed);
    }

    [Fact]
    public async Task Connection_IsClosedWhenAnotherNodeIsElected_AndTheNextOneReachesTheNewPrimary()
    {
        nodes[1].BecomePrimary(term: 2);
        await StartGatewayAsync(primaryWait: Deadline);
        using var before = await ConnectAsync();
        Assert.Equal("+node2\r\n", await ReadTextAsync(before, "+node2\r\n".Length));

        nodes[1].Follow(nodes[2]);
        nodes[2].BecomePrimary(term: 3);

        using var wait = new CancellationTokenSource(Deadline);
        Assert.Equal(0, await before.GetStream().ReadAsync(new byte[16], wait.Token));
        using var after = await ConnectAsync();
        Assert.Equal("+node3\r\n", await ReadTextAsync(after, "+node3\r\n".Length));
    }

    [Fact]
    public async Task WithNoPrimary_AConnectionWaits_ThenIsRefusedWithAnError()
    {
        await StartGatewayAsync(primaryWait: TimeSpan.FromMilliseconds(300));
        using var client = await ConnectAsync();

        var reply = await ReadTextAsync(client, "-ERR KvAspire gateway: no primary".Length);

        Assert.Equal("-ERR KvAspire gateway: no primary", reply);
    }

    [Fact]
    public async Task WithNoPrimaryYet_AConnectionWaits_AndReachesTheFirstOneElected()
    {
        await StartGatewayAsync(primaryWait: Deadline);
        using var client = await ConnectAsync();

        nodes[0].BecomePrimary(term: 1);

        Assert.Equal("+node1\r\n", await ReadTextAsync(client, "+node1\r\n".Length));
    }

    [Fact]
    public async Task WithAPassword_AConnectionThatAuthenticatesFirst_IsForwardedFromItsFirstByte()
    {
        nodes[0].BecomePrimary(term: 1);
        await StartGatewayAsync(primaryWait: Deadline, password: "secret");
        using var client = await ConnectAsync();
        const string Auth = "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n";

        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Auth + "PING\r\n"));

        Assert.Equal("+node1\r\n" + Auth + "PING\r\n", await ReadTextAsync(client, "+node1\r\n".Length + Auth.Length + "PING\r\n".Length));
    }

    [Theory]
    [InlineData("AUTH wrong\r\n", "-WRONGPASS")]
    [InlineData("*3\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n", "-NOAUTH")]
    [InlineData("*6\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$5\r\nwrong\r\n$3\r\nxyz\r\n", "-WRONGPASS")]
    [InlineData("GET k\r\n", "-NOAUTH")]
    [InlineData("*11\r\n", "-ERR Protocol error")]
    public async Task WithAPassword_AConnectionThatDoesNotAuthenticate_IsRefusedAtTheGateway_AndReachesNoNode(string request, string refusal)
    {
        nodes[0].BecomePrimary(term: 1);
        await StartGatewayAsync(primaryWait: Deadline, password: "secret");
        using var client = await ConnectAsync();

        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request));

        Assert.Equal(refusal, await ReadTextAsync(client, refusal.Length));
        using var wait = new CancellationTokenSource(Deadline);
        while (await client.GetStream().ReadAsync(new byte[256], wait.Token) > 0)
        {
        }
        Assert.All(respServers, server => Assert.Equal(0, server.Accepted));
    }

    private async Task StartGatewayAsync(TimeSpan primaryWait, string? password = null)
    {
        respPort = FreePort();
        gateway = await TestGateway.StartAsync(nodes.Zip(respServers)
            .SelectMany(pair => new[]
            {
                KeyValuePair.Create($"services:{pair.First.Name}:http:0", (string?)pair.First.Address.ToString()),
                KeyValuePair.Create($"services:{pair.First.Name}:resp:0", (string?)pair.Second.Address),
            })
            .Append(KeyValuePair.Create("Gateway:PollInterval", (string?)PollInterval.ToString()))
            .Append(KeyValuePair.Create("Gateway:PollTimeout", (string?)"00:00:05"))
            .Append(KeyValuePair.Create("Gateway:RespPort", (string?)respPort.ToString()))
            .Append(KeyValuePair.Create("Gateway:RespPrimaryWait", (string?)primaryWait.ToString()))
            .Append(KeyValuePair.Create("Auth:Password", password)));
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, respPort);
        return client;
    }

    private static async Task<string> ReadTextAsync(TcpClient client, int length) =>
        Encoding.ASCII.GetString(await ReadBytesAsync(client, length));

    private static async Task<byte[]> ReadBytesAsync(TcpClient client, int length)
    {
        using var wait = new CancellationTokenSource(Deadline);
        var buffer = new byte[length];
        await client.GetStream().ReadExactlyAsync(buffer, wait.Token);
        return buffer;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
