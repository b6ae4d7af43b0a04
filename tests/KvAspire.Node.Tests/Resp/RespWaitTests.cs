using System.Buffers;
using System.Diagnostics;
using System.Text;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;
using KvAspire.Node.Tests.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Resp;

/// <summary>WAIT on a three-node in-process cluster, with one secondary cut off.</summary>
public sealed class RespWaitTests
{
    private static readonly string[] Nodes = ["node1", "node2", "node3"];
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Wait_WithASecondaryUnreachable_ReturnsTheOneThatHasTheWrite_OnceTheTimeoutPasses()
    {
        await using var cluster = new InProcessCluster(Nodes);
        await cluster.StartAsync();
        var primary = await cluster.WaitForPrimaryAsync();
        cluster.Block(Nodes.First(n => n != primary.Node));
        var directory = new RespDirectory(new ConfigurationBuilder().Build(), Options.Create(new ClusterOptions { NodeId = primary.Node }),
            Options.Create(new RespOptions()));
        var limits = Options.Create(new LimitsOptions());
        var commands = cluster.Commands[primary.Node];
        var data = new RespDataCommands(commands, directory, limits, new RespPlanRunner(new RespPlanner(limits), commands, directory));
        var session = new RespSession(1);

        var set = await RunAsync(output => data.SetAsync(session, RespStreams.Arguments("SET", "k", "v"), output, CancellationToken.None));
        var clock = Stopwatch.StartNew();
        var both = await RunAsync(output => data.WaitAsync(session, RespStreams.Arguments("WAIT", "2", $"{WaitTimeout.TotalMilliseconds}"),
            output, CancellationToken.None));
        var waited = clock.Elapsed;
        var one = await RunAsync(output => data.WaitAsync(session, RespStreams.Arguments("WAIT", "1", "0"), output, CancellationToken.None));

        Assert.Equal("+OK\r\n", set);
        Assert.Equal(":1\r\n", both);
        Assert.True(waited >= WaitTimeout * 0.9, $"WAIT 2 answered after {waited.TotalMilliseconds} ms, before its timeout");
        Assert.Equal(":1\r\n", one);
    }

    private static async Task<string> RunAsync(Func<IBufferWriter<byte>, ValueTask> command)
    {
        var output = new ArrayBufferWriter<byte>();
        await command(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
