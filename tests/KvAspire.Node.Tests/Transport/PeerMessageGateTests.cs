using Google.Protobuf;
using KvAspire.Node.Cluster;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Tests.Telemetry;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Tests.Transport;

/// <summary>The edge a peer's bytes pass: every broken message is dropped and counted by reason, never handed to the loop.</summary>
public sealed class PeerMessageGateTests : IDisposable
{
    private readonly MeasurementRecorder _recorder = new("reason");
    private readonly PeerMessageGate _gate;

    public PeerMessageGateTests()
    {
        var cluster = Options.Create(new ClusterOptions { NodeId = "node2" });
        var peers = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:node1:peer:0"] = "http://localhost:1",
            ["services:node3:peer:0"] = "http://localhost:3",
        }).Build();
        _gate = new PeerMessageGate(cluster, new PeerDirectory(peers, cluster), _recorder.Metrics, NullLogger<PeerMessageGate>.Instance);
    }

    /// <summary>The reasons counted in kv.peer.messages.rejected, in order.</summary>
    private List<string?> Rejected() =>
        [.. _recorder.Measurements.Where(m => m.Instrument == KvTelemetry.Instruments.PeerMessagesRejected).Select(m => m.Tag)];

    [Fact]
    public void WellFormedMessage_IsAdmitted()
    {
        var message = _gate.Admit(Heartbeat(from: "node1"));

        Assert.NotNull(message);
        Assert.Empty(Rejected());
    }

    [Fact]
    public void UnknownSender_IsDroppedAndCounted_SoItCannotGrowAnyPerPeerState()
    {
        for (var i = 0; i < 3; i++)
            Assert.Null(_gate.Admit(Heartbeat(from: $"intruder{i}")));

        Assert.Equal(["unknown_sender", "unknown_sender", "unknown_sender"], Rejected());
    }

    [Fact]
    public void MessageWithoutABody_IsDroppedAndCounted()
    {
        Assert.Null(_gate.Admit(new Proto.PeerMessage { From = "node1", To = "node2", Term = 1 }));
        Assert.Equal(["no_body"], Rejected());
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")] // flags missing
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")] // an all-zero trace id is invalid
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-and-then-some-more-text-than-a-traceparent-holds")]
    [InlineData("not a traceparent")]
    public void MalformedTrace_IsIgnoredAndCounted_TheMessageStillGoesIn(string traceparent)
    {
        var proto = Heartbeat(from: "node1");
        proto.Trace = traceparent;

        var message = _gate.Admit(proto, out var trace);

        Assert.NotNull(message);
        Assert.Equal(default, trace);
        Assert.Equal(["malformed_trace"], Rejected());
    }

    [Fact]
    public void WellFormedTrace_IsHandedOn_AsARemoteParent()
    {
        var proto = Heartbeat(from: "node1");
        proto.Trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        Assert.NotNull(_gate.Admit(proto, out var trace));

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", trace.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", trace.SpanId.ToHexString());
        Assert.True(trace.IsRemote);
        Assert.Equal(proto.Trace, PeerTrace.Format(trace));
        Assert.Empty(Rejected());
    }

    [Fact]
    public void NonContiguousEntries_AreDroppedAndCounted()
    {
        var proto = Heartbeat(from: "node1");
        proto.Replicate.PrevLogIndex = 1;
        proto.Replicate.PrevLogTerm = 1;
        proto.Replicate.Entries.Add(new Proto.Entry { Index = 2, Term = 1, Data = ByteString.CopyFromUtf8("a") });
        proto.Replicate.Entries.Add(new Proto.Entry { Index = 9, Term = 1, Data = ByteString.CopyFromUtf8("b") });

        Assert.Null(_gate.Admit(proto));
        Assert.Equal(["entries_not_contiguous"], Rejected());
    }

    [Fact]
    public void SnapshotHeader_FromAStrangerOrLargerThanTheDisk_IsRefusedBeforeAnyByteIsStored()
    {
        var header = new Proto.SnapshotHeader { From = "node1", To = "node2", Term = 3, Index = 10, SnapshotTerm = 2, FileBytes = 1_000 };
        Assert.True(_gate.Admit(header, maxFileBytes: 1_000, out _));

        Assert.False(_gate.Admit(new Proto.SnapshotHeader(header) { From = "stranger" }, maxFileBytes: 1_000, out var stranger));
        Assert.False(_gate.Admit(new Proto.SnapshotHeader(header) { FileBytes = 1_001 }, maxFileBytes: 1_000, out var tooLarge));
        Assert.False(_gate.Admit(new Proto.SnapshotHeader(header) { SnapshotTerm = 4 }, maxFileBytes: 1_000, out var future));

        Assert.Equal(["unknown_sender", "snapshot_size_out_of_range", "index_out_of_range"],
            [stranger!.Reason, tooLarge!.Reason, future!.Reason]);
        Assert.Equal(3, Rejected().Count);
    }

    private static Proto.PeerMessage Heartbeat(string from) =>
        new() { From = from, To = "node2", Term = 2, Replicate = new Proto.Replicate { PrevLogIndex = 0, PrevLogTerm = 0, CommitIndex = 0 } };

    public void Dispose() => _recorder.Dispose();
}
