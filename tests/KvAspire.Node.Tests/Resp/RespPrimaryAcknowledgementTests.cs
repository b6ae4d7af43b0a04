using KvAspire.Node.Cluster;

namespace KvAspire.Node.Tests.Resp;

/// <summary>RESP writes under <c>Replication:Acknowledge=Primary</c>: answered once the primary's own log has them.</summary>
public sealed class RespPrimaryAcknowledgementTests
{
    [Fact]
    public async Task Writes_UnderPrimaryAcknowledgement_AnswerAsRedisDoes()
    {
        await using var node = await SingleNodeResp.StartAsync(replication: new ReplicationOptions { Acknowledge = Acknowledge.Primary });

        Assert.Contains("kv_acknowledge:Primary\r\n", await node.SendAsync("INFO", "kvaspire"));
        Assert.Equal("+OK\r\n", await node.SendAsync("SET", "k", "v1"));
        // A read waits until this primary has applied what it committed, so the write is visible.
        Assert.Equal("$2\r\nv1\r\n", await node.SendAsync("GET", "k"));
        Assert.Equal("+OK\r\n", await node.SendAsync("MSET", "a", "1", "b", "2"));
        Assert.Equal("*2\r\n$1\r\n1\r\n$1\r\n2\r\n", await node.SendAsync("MGET", "a", "b"));
        // DEL counts the keys that existed when it was proposed: under Primary that is read before the reply.
        Assert.Equal(":2\r\n", await node.SendAsync("DEL", "a", "b", "missing"));
        Assert.Equal("$-1\r\n", await node.SendAsync("GET", "a"));
        Assert.Equal("$-1\r\n", await node.SendAsync("SET", "k", "v2", "NX"));
        Assert.Equal(":1\r\n", await node.SendAsync("SETNX", "fresh", "1"));
        Assert.Equal(":0\r\n", await node.SendAsync("WAIT", "0", "100"));
    }
}
