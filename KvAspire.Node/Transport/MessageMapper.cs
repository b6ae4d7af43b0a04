using System.Diagnostics;
using Google.Protobuf;
using KvAspire.Node.Consensus;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>Translates between the core's messages and their wire form.</summary>
public static class MessageMapper
{
    /// <param name="trace">The span the message travels under (see <see cref="PeerTrace"/>); default for none.</param>
    public static Proto.PeerMessage ToProto(Message message, ActivityContext trace = default)
    {
        var proto = new Proto.PeerMessage
        {
            From = message.From, To = message.To, Term = message.Term, Standing = (int)message.Standing, Trace = PeerTrace.Format(trace),
        };
        switch (message)
        {
            case RequestVote m:
                proto.RequestVote = new Proto.RequestVote { LastLogIndex = m.LastLogIndex, LastLogTerm = m.LastLogTerm, PreVote = m.PreVote, Transfer = m.Transfer, Founding = m.Founding };
                break;
            case RequestVoteResponse m:
                proto.RequestVoteResponse = new Proto.RequestVoteResponse { Granted = m.Granted, PreVote = m.PreVote };
                break;
            case Replicate m:
                var replicate = new Proto.Replicate { PrevLogIndex = m.PrevLogIndex, PrevLogTerm = m.PrevLogTerm, CommitIndex = m.CommitIndex, ReadContext = m.ReadContext, Promote = m.Promote, LeaseTick = m.LeaseTick };
                foreach (var entry in m.Entries)
                    // Entries are immutable once in the log, so the wire message may share their bytes.
                    replicate.Entries.Add(new Proto.Entry { Index = entry.Index, Term = entry.Term, Data = UnsafeByteOperations.UnsafeWrap(entry.Data) });
                proto.Replicate = replicate;
                break;
            case ReplicateResponse m:
                proto.ReplicateResponse = new Proto.ReplicateResponse
                {
                    Success = m.Success, MatchIndex = m.MatchIndex, RejectedIndex = m.RejectedIndex, HintIndex = m.HintIndex,
                    ReadContext = m.ReadContext, LeaseTick = m.LeaseTick,
                };
                break;
            case TimeoutNow:
                proto.TimeoutNow = new Proto.TimeoutNow();
                break;
            default:
                throw new ArgumentException($"No wire form for {message.GetType().Name}.", nameof(message));
        }
        return proto;
    }

    /// <summary>The core's message, or null for a message with no body or a standing this node does not know (from a newer or broken sender).</summary>
    public static Message? FromProto(Proto.PeerMessage proto)
    {
        var standing = (Standing)proto.Standing;
        if (!Enum.IsDefined(standing) || Body(proto) is not { } message)
            return null;
        // Most senders are voters, the default: only the others cost a copy.
        return message.Standing == standing ? message : message with { Standing = standing };
    }

    private static Message? Body(Proto.PeerMessage proto) => proto.BodyCase switch
    {
        Proto.PeerMessage.BodyOneofCase.RequestVote => new RequestVote(proto.From, proto.To, proto.Term,
            proto.RequestVote.LastLogIndex, proto.RequestVote.LastLogTerm, proto.RequestVote.PreVote, proto.RequestVote.Transfer,
            proto.RequestVote.Founding),
        Proto.PeerMessage.BodyOneofCase.RequestVoteResponse => new RequestVoteResponse(proto.From, proto.To, proto.Term,
            proto.RequestVoteResponse.Granted, proto.RequestVoteResponse.PreVote),
        Proto.PeerMessage.BodyOneofCase.Replicate => new Replicate(proto.From, proto.To, proto.Term,
            proto.Replicate.PrevLogIndex, proto.Replicate.PrevLogTerm,
            [.. proto.Replicate.Entries.Select(e => new Entry(e.Index, e.Term, e.Data.Memory))],
            proto.Replicate.CommitIndex, proto.Replicate.ReadContext, proto.Replicate.Promote, proto.Replicate.LeaseTick),
        Proto.PeerMessage.BodyOneofCase.ReplicateResponse => new ReplicateResponse(proto.From, proto.To, proto.Term,
            proto.ReplicateResponse.Success, proto.ReplicateResponse.MatchIndex,
            proto.ReplicateResponse.RejectedIndex, proto.ReplicateResponse.HintIndex, proto.ReplicateResponse.ReadContext,
            proto.ReplicateResponse.LeaseTick),
        Proto.PeerMessage.BodyOneofCase.TimeoutNow => new TimeoutNow(proto.From, proto.To, proto.Term),
        _ => null,
    };
}
