using System.Diagnostics;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.Options;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>
/// The edge every peer message and snapshot header passes before the host loop sees it: each field is
/// checked (<see cref="MessageCheck"/>), and what fails is dropped, counted in <c>kv.peer.messages.rejected</c>
/// by reason and logged with the sender and why. Nothing a peer sends can make the node throw.
/// </summary>
public sealed class PeerMessageGate(IOptions<ClusterOptions> options, PeerDirectory peers, NodeMetrics metrics, ILogger<PeerMessageGate> logger)
{
    private readonly string _self = options.Value.NodeId;

    /// <summary>The core's message for <paramref name="proto"/>, or null when it must be dropped (already counted and logged).</summary>
    public Message? Admit(Proto.PeerMessage proto) => Admit(proto, out _);

    /// <summary>As <see cref="Admit(Proto.PeerMessage)"/>, with the trace the message travels under (default for none).
    /// A malformed trace is dropped on its own, counted and logged like a bad field; the message still goes in.</summary>
    public Message? Admit(Proto.PeerMessage proto, out ActivityContext trace)
    {
        trace = default;
        if (MessageMapper.FromProto(proto) is not { } message)
            return Reject(proto.From, new MessageProblem("no_body", "the message has no body this node knows"));
        if (Problem(message) is { } problem)
            return Reject(message.From, problem);
        if (proto.Trace.Length > 0 && !PeerTrace.TryParse(proto.Trace, out trace))
            Reject(message.From, new MessageProblem("malformed_trace",
                $"trace '{(proto.Trace.Length > PeerTrace.MaxLength ? proto.Trace[..PeerTrace.MaxLength] + "..." : proto.Trace)}' is not a W3C traceparent; the message is kept without it"));
        return message;
    }

    /// <summary>Whether a snapshot stream's header may be received at all: checked before a byte of the file is stored.</summary>
    public bool Admit(Proto.SnapshotHeader header, long maxFileBytes, out MessageProblem? problem)
    {
        var message = new InstallSnapshot(header.From, header.To, header.Term, new SnapshotMarker(header.Index, header.SnapshotTerm));
        problem = Problem(message)
            ?? (header.FileBytes is < 1 || header.FileBytes > maxFileBytes
                ? new MessageProblem("snapshot_size_out_of_range", $"announces {header.FileBytes} bytes (limit {maxFileBytes})")
                : null);
        if (problem is null)
            return true;
        Reject(header.From, problem);
        return false;
    }

    /// <summary>The core's checks, and one of the edge's own: the sender must be a node this one can answer (one service
    /// discovery or the peer address template names), so a stranger cannot make the node keep state for made-up names.</summary>
    private MessageProblem? Problem(Message message) =>
        MessageCheck.Problem(message, _self)
        ?? (!peers.Knows(message.From) ? new MessageProblem("unknown_sender", $"sent by '{message.From}', which no peer address names") : null);

    private Message? Reject(string from, MessageProblem problem)
    {
        metrics.PeerMessageRejected(problem.Reason);
        // The sender's name is the peer's own claim: cut it short so a broken peer cannot flood the log.
        Log.PeerMessageRejected(logger, from.Length > 64 ? from[..64] : from, problem.Reason, problem.Detail);
        return null;
    }
}
