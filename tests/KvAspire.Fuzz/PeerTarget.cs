using System.Buffers;
using Google.Protobuf;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using KvAspire.Node.Transport;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Fuzz;

/// <summary>
/// What a node does with bytes from a peer. Control byte bit 0 clear: the data is one <c>PeerBatch</c> as
/// gRPC hands it to <see cref="PeerService"/>.Stream, each message mapped by <see cref="MessageMapper.FromProto"/>;
/// a mapped message must map back to the same wire message (unknown fields aside), since the core
/// would otherwise act on something other than what was sent. Bits 0-1 = 1: the data is an InstallSnapshot
/// call, <c>SnapshotChunk</c> messages each preceded by its varint length; the chunks after the header are
/// stored by <see cref="FileSnapshotStore.ReceiveAsync"/>, which verifies the file. Bits 0-1 = 3: the data
/// is the snapshot file itself, received in two chunks cut where bits 2-7 say (the fuzzer then changes the
/// file's fields directly instead of through the protobuf framing).
/// Expected rejections: <see cref="InvalidProtocolBufferException"/>, <see cref="CorruptSnapshotException"/>.
/// </summary>
public static class PeerTarget
{
    private static readonly MessageParser<Proto.PeerMessage> WithoutUnknownFields = Proto.PeerMessage.Parser.WithDiscardUnknownFields(true);
    private static readonly Lazy<FileSnapshotStore> Snapshots = new(() => new FileSnapshotStore(FuzzScratch.Directory("peer")));

    public static void Run(ReadOnlySpan<byte> input)
    {
        var control = FuzzTargets.Control(input);
        var data = FuzzTargets.Data(input);
        try
        {
            switch (control & 3)
            {
                case 1:
                    ReceiveSnapshotCall(data.ToArray());
                    break;
                case 3:
                    var file = data.ToArray();
                    var cut = FuzzTargets.CutPoint(file.Length, control >> 2, 63);
                    Receive([file.AsMemory(0, cut), file.AsMemory(cut)]);
                    break;
                default:
                    MapBatch(data.ToArray());
                    break;
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }
        catch (CorruptSnapshotException)
        {
        }
    }

    private static void MapBatch(byte[] data)
    {
        // gRPC's generated marshaller parses from the frame's ReadOnlySequence.
        var batch = Proto.PeerBatch.Parser.ParseFrom(new ReadOnlySequence<byte>(data));
        var cores = PeerCores.Create();
        foreach (var proto in batch.Messages)
        {
            // PeerService logs and drops a message without a known body.
            if (MessageMapper.FromProto(proto) is not { } message)
                continue;
            var back = MessageMapper.ToProto(message);
            var sent = WithoutUnknownFields.ParseFrom(proto.ToByteString());
            if (!back.Equals(sent))
                throw new FuzzInvariantException($"{message.GetType().Name} does not map back to its wire form: sent {sent}, mapped back {back}");
            // What the edge admits reaches the core: a primary and a secondary must take it without throwing.
            if (MessageCheck.Problem(message, message.To) is null)
                cores.Step(message);
        }
    }

    private static void ReceiveSnapshotCall(byte[] data)
    {
        using var stream = new MemoryStream(data, writable: false);
        // PeerService refuses a call that does not start with the header before it stores anything.
        if (stream.Length == 0 || Proto.SnapshotChunk.Parser.ParseDelimitedFrom(stream).Header is null)
            return;
        var chunks = new List<ReadOnlyMemory<byte>>();
        while (stream.Position < stream.Length)
            chunks.Add(Proto.SnapshotChunk.Parser.ParseDelimitedFrom(stream).Data.Memory);
        Receive(chunks);
    }

    private static void Receive(List<ReadOnlyMemory<byte>> chunks)
    {
        var store = Snapshots.Value;
        var received = store.ReceiveAsync(chunks.ToAsyncEnumerable(), CancellationToken.None).GetAwaiter().GetResult();
        try
        {
            // ReceiveAsync verified the file, so reading it again must succeed.
            store.ReadBody(received, body => body.ReadByte());
        }
        finally
        {
            store.Discard(received);
        }
    }
}
