using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace KvAspire.IntegrationTests;

/// <summary>
/// The AppHost's generated secrets reach every node and the gateway: without the password clients are
/// refused on both front ends, with it they get in, and the probes stay open. (That the nodes elect
/// and replicate at all shows their peer calls pass each other's membership check.)
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuthenticationTests(ClusterFixture cluster)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("gateway")]
    [InlineData("node1")]
    public async Task Http_WithoutTheBearerToken_Gets401_ButHealthAndMetricsStayOpen(string resource)
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        using var anonymous = cluster.AnonymousClientFor(resource);

        using var get = await anonymous.GetAsync("/kv/anything");
        using var status = await anonymous.GetAsync("/cluster");
        using var health = await anonymous.GetAsync("/health");
        using var metrics = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal("unauthorized", (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task StepDown_WithTheClientPassword_Gets401_ItNeedsTheAdminSecret()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        using var stepDown = await cluster.Nodes[primary.Node].PostAsync("/cluster/step-down", content: null);

        Assert.Equal(HttpStatusCode.Unauthorized, stepDown.StatusCode);
        Assert.Equal(primary.Node, (await ClusterFixture.StatusAsync(cluster.Nodes[primary.Node]))!.Primary);
    }

    [Fact]
    public async Task Http_ThroughTheGateway_WithTheBearerToken_Writes()
    {
        await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);

        using var put = await cluster.Gateway.PutAsync($"/kv/auth/{Guid.NewGuid():N}", new StringContent("v"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    [Fact]
    public async Task Resp_BeforeAuth_GetsNoAuth_AndAfterAuthServes()
    {
        var primary = await cluster.WaitForSettledClusterAsync(ClusterFixture.ElectionTimeout);
        var address = cluster.RespEndpoint(primary.Node).Split(':');
        using var client = new TcpClient();
        await client.ConnectAsync(address[0], int.Parse(address[1]));
        var stream = client.GetStream();

        var before = await ExchangeAsync(stream, "GET k\r\n");
        var wrong = await ExchangeAsync(stream, "AUTH not-the-password\r\n");
        var auth = await ExchangeAsync(stream, $"AUTH default {cluster.Password}\r\n");
        var ping = await ExchangeAsync(stream, "PING\r\n");

        Assert.Equal("-NOAUTH Authentication required.\r\n", before);
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.\r\n", wrong);
        Assert.Equal("+OK\r\n", auth);
        Assert.Equal("+PONG\r\n", ping);
    }

    /// <summary>Sends one inline command and reads its one-line reply.</summary>
    private static async Task<string> ExchangeAsync(NetworkStream stream, string command)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command));
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        var reply = new StringBuilder();
        var buffer = new byte[1024];
        while (!reply.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
                throw new IOException($"the node closed the connection after '{reply}'");
            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return reply.ToString();
    }
}
