using System.Buffers;
using System.Text;
using KvAspire.Node.Api;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;

namespace KvAspire.Node.Tests.Resp;

/// <summary>
/// Pipelines through the real connection handler: consecutive writes are proposed without waiting for
/// each other and reads share one confirmation, yet every reply comes in command order and every read
/// sees exactly the writes sent before it.
/// </summary>
public sealed class RespPipelineTests : IAsyncLifetime
{
    /// <summary>Generous: how long a test waits for the server's replies.</summary>
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(30);

    private SingleNodeResp _node = null!;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task WritesAndReadsInOnePipeline_AreAnsweredInOrder_EachReadSeeingTheWritesBeforeIt()
    {
        var client = InMemoryConnection.Open(_node.Handler);

        await client.SendAsync(
            "SET a 1\r\nSET b 2\r\nGET a\r\nSET a 3\r\nDEL b\r\nGET a\r\nGET b\r\nMSET c 4 d 5\r\nEXISTS a b c d\r\n"
            + "SETNX a 9\r\nSETNX e 6\r\nSET a 7 GET\r\nMGET a b e\r\nPING\r\n");

        var expected = "+OK\r\n+OK\r\n$1\r\n1\r\n+OK\r\n:1\r\n$1\r\n3\r\n$-1\r\n+OK\r\n:3\r\n"
            + ":0\r\n:1\r\n$1\r\n3\r\n*3\r\n$1\r\n7\r\n$-1\r\n$1\r\n6\r\n+PONG\r\n";
        Assert.Equal(expected, await client.ReadLinesAsync(expected.Split("\r\n").Length - 1, ServerTimeout));
    }

    [Fact]
    public async Task ALongRunOfWrites_EachKeyEndsWithItsLastValue()
    {
        var client = InMemoryConnection.Open(_node.Handler);
        var writes = RespPendingWrites.MaxInFlight * 2 + 7; // more than one batch of writes in flight
        var request = new StringBuilder();
        for (var i = 0; i < writes; i++)
            request.Append($"SET k{i % 10} v{i}\r\n");
        request.Append("MGET k0 k9\r\n");

        await client.SendAsync(request.ToString());

        var replies = await client.ReadLinesAsync(writes + 5, ServerTimeout);
        Assert.StartsWith(string.Concat(Enumerable.Repeat("+OK\r\n", writes)), replies);
        string Last(int key) => $"v{Enumerable.Range(0, writes).Last(i => i % 10 == key)}";
        Assert.EndsWith($"*2\r\n${Last(0).Length}\r\n{Last(0)}\r\n${Last(9).Length}\r\n{Last(9)}\r\n", replies);
    }

    [Fact]
    public async Task PendingWrites_AreRepliedInStartOrder_WhateverOrderTheyComplete()
    {
        var writes = new RespPendingWrites();
        var completions = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource()).ToList();
        for (var i = 0; i < completions.Count; i++)
        {
            var completion = completions[i];
            var reply = $":{i}\r\n";
            writes.Start(output => new ValueTask(completion.Task.ContinueWith(_ => output.Write(Encoding.ASCII.GetBytes(reply)),
                TaskScheduler.Default)), bytes: 20);
        }
        var output = new ArrayBufferWriter<byte>();

        var drained = writes.DrainAsync(output).AsTask();
        completions[2].SetResult();
        completions[1].SetResult();
        Assert.False(drained.IsCompleted);
        completions[0].SetResult();
        await drained.WaitAsync(ServerTimeout);

        Assert.Equal(":0\r\n:1\r\n:2\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public async Task PendingWrites_HoldNoMoreThanTheirByteBound_ButOneWriteOfAnySizeMayStart()
    {
        var writes = new RespPendingWrites();
        var quarter = RespPendingWrites.MaxInFlightBytes / 4;
        Assert.False(writes.WouldOverflow(RespPendingWrites.MaxInFlightBytes * 2));

        for (var i = 0; i < 4; i++)
        {
            Assert.False(writes.WouldOverflow(quarter));
            writes.Start(_ => ValueTask.CompletedTask, quarter);
        }

        Assert.True(writes.WouldOverflow(1));
        await writes.DrainAsync(new ArrayBufferWriter<byte>());
        Assert.False(writes.WouldOverflow(quarter));
    }

    [Fact]
    public async Task SharedReadPermit_IsAskedForOnce_UntilReset()
    {
        var shared = new SharedReadPermit();
        var asked = 0;
        Task<ReadPermit> Ask(long after)
        {
            asked++;
            return Task.FromResult<ReadPermit>(new ReadPermit.Granted(0));
        }

        await shared.GetOrRequest(Ask);
        await shared.GetOrRequest(Ask);
        Assert.Equal(1, asked);

        shared.Reset();
        await shared.GetOrRequest(Ask);
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task SharedReadPermit_AsksToCoverTheOwnersLatestWrite()
    {
        var lastWrite = 41L;
        var shared = new SharedReadPermit(() => lastWrite);
        var covered = new List<long>();
        Task<ReadPermit> Ask(long after)
        {
            covered.Add(after);
            return Task.FromResult<ReadPermit>(new ReadPermit.Granted(after));
        }

        await shared.GetOrRequest(Ask);
        lastWrite = 42;
        shared.Reset();
        await shared.GetOrRequest(Ask);

        Assert.Equal([41L, 42L], covered);
    }
}
