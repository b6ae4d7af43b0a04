using System.Text.Json;
using System.Text.Json.Serialization;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Api;

/// <summary>The <c>/cluster</c> answer on the wire, byte for byte: the gateway, the AppHost, the bench, the chaos suite and
/// scripts parse it, so a change to its names, order or enum spelling must be deliberate.</summary>
public sealed class ClusterStatusJsonTests
{
    /// <summary>What the node's HTTP API serializes with (NodeSetup): web defaults, enums by name.</summary>
    private static readonly JsonSerializerOptions NodeJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly ClusterStatus Syncing = new("node3", Role.Secondary, ClusterState.Syncing, Term: 7, Primary: "node1",
        CommitIndex: 40, AppliedIndex: 12, AppliedDigest: "00000000deadbeef", LastLogIndex: 41, LastLogTerm: 7, ProcessId: 4242,
        ServesReads: false, Keys: 3, LogBytes: 2048, LogStart: 1,
        Sync: new SyncProgress("node1", SnapshotIndex: 100, BytesReceived: 10, BytesTotal: 1000, SyncPhase.Transfer, PrimaryCommitIndex: 120),
        LastSync: null,
        Peers:
        [
            new PeerStatus("node1", MatchIndex: null, Lag: null, LagSeconds: null, Replication: null, SecondsSinceHeard: 0.25, InContact: true),
            new PeerStatus("node2", MatchIndex: 40, Lag: 1, LagSeconds: 0.5, Replication: "replicate", SecondsSinceHeard: null, InContact: false),
        ])
    {
        Standing = "Joining",
        Voters = ["node1", "node2", "node3"],
        Learners = ["node4"],
        MembershipChanging = true,
    };

    /// <summary>One line on the wire; broken here only to be read.</summary>
    private static readonly string SyncingJson = """
        {"node":"node3","role":"Secondary","state":"Syncing","term":7,"primary":"node1","commitIndex":40,"appliedIndex":12,
        "appliedDigest":"00000000deadbeef","lastLogIndex":41,"lastLogTerm":7,"processId":4242,"servesReads":false,"keys":3,
        "logBytes":2048,"logStart":1,"sync":{"from":"node1","snapshotIndex":100,"bytesReceived":10,"bytesTotal":1000,
        "phase":"Transfer","primaryCommitIndex":120},"lastSync":null,"peers":[{"node":"node1","matchIndex":null,"lag":null,
        "lagSeconds":null,"replication":null,"secondsSinceHeard":0.25,"inContact":true},{"node":"node2","matchIndex":40,"lag":1,
        "lagSeconds":0.5,"replication":"replicate","secondsSinceHeard":null,"inContact":false}],"standing":"Joining",
        "voters":["node1","node2","node3"],"learners":["node4"],"membershipChanging":true}
        """.ReplaceLineEndings("");

    [Fact]
    public void ASyncingSecondary_IsWrittenWithTheNamesOrderAndEnumNamesClientsParse()
    {
        Assert.Equal(SyncingJson, JsonSerializer.Serialize(Syncing, NodeJson));
    }

    [Fact]
    public void AClientWithPlainWebOptions_ReadsAndWritesTheSameJson()
    {
        var read = JsonSerializer.Deserialize<ClusterStatus>(SyncingJson, JsonSerializerOptions.Web);

        Assert.Equal(Role.Secondary, read!.Role);
        Assert.Equal(SyncPhase.Transfer, read.Sync!.Phase);
        Assert.Equal(SyncingJson, JsonSerializer.Serialize(read, JsonSerializerOptions.Web));
    }
}
