using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace KvAspire.IntegrationTests;

/// <summary>The gateway's RESP endpoint: one Redis address that always reaches the primary.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayRespTests(ClusterFixture cluster, ITestOutputHelper output)
{
    /// <summary>Generous, for a busy 2-core machine.</summary>
    private static readonly TimeSpan FollowTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RejoinTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DefaultMultiplexer_GivenOnlyTheGateway_KeepsWritingAfterThePrimaryIsKilled()
    {
        var before = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var options = new ConfigurationOptions { Password = cluster.Password, EndPoints = { cluster.RespEndpoint("gateway") } };
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        await using var writer = WriteLoop.Start(redis.GetDatabase(), "gateway-resp-kill");
        await writer.WaitForSuccessAfterAsync(Stopwatch.GetTimestamp(), FollowTimeout, "a write before the kill");

        var killedAt = Stopwatch.GetTimestamp();
        await cluster.WithPrimaryKilledAsync(before, RejoinTimeout, async () =>
        {
            var followed = await writer.WaitForSuccessAfterAsync(killedAt, FollowTimeout, "a write through the gateway after the kill");
            output.WriteLine($"kill -> first write through the gateway that succeeded: {Stopwatch.GetElapsedTime(killedAt, followed).TotalMilliseconds:0} ms " +
                $"(started then); failed writes: {writer.Failures}");
        });
    }

    [Fact]
    public async Task Authentication_IsCheckedAtTheGateway_AndPassesThroughToTheNode()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        const string Refused = "-NOAUTH", Wrong = "-WRONGPASS", Served = "+OK\r\n*3\r\n$6\r\nmaster\r\n";

        Assert.StartsWith(Refused, await RawAsync("GET k\r\n", Refused.Length));
        Assert.StartsWith(Wrong, await RawAsync("AUTH wrong-password\r\n", Wrong.Length));
        Assert.StartsWith(Served, await RawAsync($"AUTH {cluster.Password}\r\nROLE\r\n", Served.Length));
    }

    /// <summary>Sends <paramref name="request"/> to the gateway's RESP port; returns at least <paramref name="length"/> characters of reply, or what came before the connection closed.</summary>
    private async Task<string> RawAsync(string request, int length)
    {
        var address = cluster.RespEndpoint("gateway").Split(':');
        using var client = new TcpClient();
        await client.ConnectAsync(address[0], int.Parse(address[1]));
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (received.Length < length)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
                break;
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return received.ToString();
    }
}
