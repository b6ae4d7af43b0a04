using System.Buffers;
using System.Text;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using NodeRole = KvAspire.Node.Consensus.Role;

namespace KvAspire.Node.Tests.Resp;

/// <summary>ROLE and INFO replication from prepared cluster statuses: what they say of each secondary.</summary>
public sealed class RespReplicationTests
{
    private static readonly RespDirectory Directory = new(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:node1:resp:0"] = "tcp://localhost:6379",
            ["services:node2:resp:0"] = "tcp://localhost:6380",
            ["services:node3:resp:0"] = "tcp://localhost:6381",
        }).Build(),
        Options.Create(new ClusterOptions { NodeId = "node1" }), Options.Create(new RespOptions()));

    /// <summary>As a Kubernetes pod sees it: service discovery names no member, the template names them all.</summary>
    private static readonly RespDirectory Templated = new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["services:kv-1:resp:0"] = "tcp://10.0.0.7:6390",
    }).Build(),
        Options.Create(new ClusterOptions { NodeId = "kv-0" }), Options.Create(new RespOptions { MemberAddressTemplate = "redis://{id}.kv-peers:6379" }));

    [Fact]
    public void Primary_ListsOnlySecondariesItIsReplicatingTo_WithTheirMatchIndexAndLag()
    {
        var status = Primary(
            new PeerStatus("node2", MatchIndex: 40, Lag: 2, LagSeconds: 0.3, Replication: "replicate", SecondsSinceHeard: 2.7, InContact: true),
            // Probing: the primary has not found where this secondary's log matches (it is down, or just rejoined).
            new PeerStatus("node3", MatchIndex: 12, Lag: 30, LagSeconds: 75.2, Replication: "probe", SecondsSinceHeard: 0.1, InContact: true));

        var info = Info(status);
        var role = RoleReply(status);

        Assert.Contains("connected_slaves:1\r\nslave0:ip=localhost,port=6380,state=online,offset=40,lag=2\r\n", info);
        Assert.DoesNotContain("6381", info);
        Assert.Contains("master_repl_offset:42\r\n", info);
        Assert.Equal("*3\r\n$6\r\nmaster\r\n:42\r\n*1\r\n*3\r\n$9\r\nlocalhost\r\n$4\r\n6380\r\n$2\r\n40\r\n", role);
    }

    [Fact]
    public void Primary_DoesNotListASecondaryItHasNotHeardFromWithinAnElectionTimeout_EvenWithNothingToReplicate()
    {
        var status = Primary(
            new PeerStatus("node2", 42, 0, 0, "replicate", 0.2, InContact: true),
            // Caught up when it died, and nothing written since: only the silence shows it is gone.
            new PeerStatus("node3", 42, 0, 0, "replicate", 12.5, InContact: false));

        var info = Info(status);

        Assert.Contains("connected_slaves:1\r\nslave0:ip=localhost,port=6380,", info);
        Assert.DoesNotContain("6381", info);
        Assert.DoesNotContain("6381", RoleReply(status));
    }

    [Fact]
    public void Primary_ReportsASecondaryReceivingASnapshot_AsSendBulk()
    {
        var status = Primary(
            new PeerStatus("node2", 42, 0, 0, "replicate", 0.4, InContact: true),
            new PeerStatus("node3", 0, 42, 9.5, "snapshot", 3.1, InContact: true));

        var info = Info(status);

        Assert.Contains("connected_slaves:2\r\n", info);
        Assert.Contains("slave0:ip=localhost,port=6380,state=online,offset=42,lag=0\r\n", info);
        Assert.Contains("slave1:ip=localhost,port=6381,state=send_bulk,offset=0,lag=3\r\n", info);
    }

    [Fact]
    public void Secondary_ReceivingASnapshot_SaysSo()
    {
        var status = Primary() with
        {
            Role = NodeRole.Secondary,
            State = ClusterState.Syncing,
            Primary = "node2",
            AppliedIndex = 7,
            Sync = new SyncProgress("node2", 100, 10, 1000, SyncPhase.Transfer, PrimaryCommitIndex: 100),
        };

        var info = Info(status);

        Assert.Contains("role:slave\r\nmaster_host:localhost\r\nmaster_port:6380\r\nmaster_link_status:up\r\nmaster_sync_in_progress:1\r\nslave_repl_offset:7\r\n", info);
        Assert.Equal("*5\r\n$5\r\nslave\r\n$9\r\nlocalhost\r\n:6380\r\n$4\r\nsync\r\n:7\r\n", RoleReply(status));
    }

    [Fact]
    public void AMemberServiceDiscoveryDoesNotName_IsFoundThroughTheTemplate_AndANamedOneAtItsOwnAddress()
    {
        Assert.Equal(new RespAddress("kv-3.kv-peers", 6379), Templated.Find("kv-3"));
        Assert.Equal(new RespAddress("10.0.0.7", 6390), Templated.Find("kv-1"));
        Assert.Null(Templated.Find("not/a member"));
        Assert.Null(Directory.Find("node4"));
    }

    [Fact]
    public void Secondary_NamesAPrimaryAddedAtRuntime_ThroughTheTemplate()
    {
        var status = Primary() with { Node = "kv-0", Role = NodeRole.Secondary, Primary = "kv-4" };
        var info = new StringBuilder();
        RespReplication.AppendInfo(info, status, Templated);

        Assert.Contains("master_host:kv-4.kv-peers\r\nmaster_port:6379\r\n", info.ToString());
    }

    [Fact]
    public void Secondary_WithNoPrimaryKnown_HasItsLinkDown() =>
        Assert.Contains("master_link_status:down\r\n", Info(Primary() with { Role = NodeRole.Secondary, State = ClusterState.Election, Primary = null }));

    private static ClusterStatus Primary(params PeerStatus[] peers) => new("node1", NodeRole.Primary, ClusterState.Normal, Term: 3,
        Primary: "node1", CommitIndex: 42, AppliedIndex: 42, AppliedDigest: "0", LastLogIndex: 42, LastLogTerm: 3, ProcessId: 1,
        ServesReads: true, Keys: 0, LogBytes: 0, LogStart: 0, Sync: null, LastSync: null, Peers: peers);

    private static string Info(ClusterStatus status)
    {
        var text = new StringBuilder();
        RespReplication.AppendInfo(text, status, Directory);
        return text.ToString();
    }

    private static string RoleReply(ClusterStatus status)
    {
        var output = new ArrayBufferWriter<byte>();
        RespReplication.WriteRole(output, status, Directory);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
