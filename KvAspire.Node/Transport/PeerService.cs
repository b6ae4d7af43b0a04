using System.Runtime.CompilerServices;
using Grpc.Core;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using Microsoft.Extensions.Options;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>The receiving end of every peer's stream and snapshot: hands each message to the host loop.</summary>
public sealed class PeerService(IPeerReceiver host, PeerIsolation isolation, PeerMessageGate gate, ISnapshotStore snapshots,
    IOptions<StorageOptions> storage, ILogger<PeerService> logger)
    : Proto.Peer.PeerBase
{
    public override async Task<Proto.StreamClosed> Stream(IAsyncStreamReader<Proto.PeerBatch> requestStream, ServerCallContext context)
    {
        // Peer streams never end on their own: without this, shutdown would wait out Kestrel's timeout. They end
        // once the node has handed over its role (RaftHost.StoppingAsync), which needs the peers' answers.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, host.PeerStreamsEnding);
        try
        {
            await foreach (var batch in requestStream.ReadAllAsync(stopping.Token))
            {
                // Keep reading while isolated so the sender's stream stays open; the messages are just lost.
                if (isolation.IsIsolated)
                    continue;
                foreach (var proto in batch.Messages)
                {
                    if (gate.Admit(proto, out var trace) is { } message)
                        host.Deliver(message, trace);
                }
            }
        }
        catch (OperationCanceledException) when (host.PeerStreamsEnding.IsCancellationRequested)
        {
        }
        return new Proto.StreamClosed();
    }

    /// <summary>
    /// Stores the streamed snapshot file (checksum verified) and only then hands the host the
    /// InstallSnapshot message: the core never acts on a snapshot that is not whole on disk.
    /// </summary>
    public override async Task<Proto.SnapshotReceived> InstallSnapshot(IAsyncStreamReader<Proto.SnapshotChunk> requestStream, ServerCallContext context)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, host.PeerStreamsEnding);
        if (isolation.IsIsolated)
            throw new RpcException(new Status(StatusCode.Unavailable, "isolated"));
        if (!await requestStream.MoveNext(stopping.Token) || requestStream.Current.Header is not { } header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a snapshot stream starts with its header"));
        if (!gate.Admit(header, SpaceForSnapshot(), out var problem))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{problem!.Reason}: {problem.Detail}"));
        if (header.Term < host.Term)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"term {header.Term} is stale: this node is in term {host.Term}"));

        // One at a time: two streams would race to be installed, and the first to end would end Syncing.
        if (!host.TryBeginSnapshot(header.From, header.Index, header.FileBytes))
            throw new RpcException(new Status(StatusCode.Unavailable, "another snapshot is being received; offer it again later"));
        var started = TimeProvider.System.GetTimestamp();
        var handedOver = false;
        try
        {
            var received = await snapshots.ReceiveAsync(Chunks(requestStream, header.FileBytes, stopping.Token), stopping.Token);
            if (received.Index != header.Index || received.Term != header.SnapshotTerm)
            {
                snapshots.Discard(received);
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"the header names snapshot {header.Index}/{header.SnapshotTerm} but the file holds {received.Index}/{received.Term}"));
            }
            Log.SnapshotReceived(logger, received.Index, received.Term, header.From, header.FileBytes,
                TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
            // Decoded and built here, beside the loop: a million keys would otherwise hold it (and its heartbeats)
            // for hundreds of milliseconds.
            var state = KvStore.Prepare(snapshots.ReadStore(received));
            host.DeliverSnapshot(new InstallSnapshot(header.From, header.To, header.Term, new SnapshotMarker(received.Index, received.Term)),
                received, state);
            handedOver = true;
            return new Proto.SnapshotReceived();
        }
        catch (CorruptSnapshotException e)
        {
            Log.SnapshotReceiveFailed(logger, header.From, e);
            throw new RpcException(new Status(StatusCode.DataLoss, e.Message));
        }
        finally
        {
            if (!handedOver)
                host.SnapshotAbandoned();
        }
    }

    /// <summary>What the data folder's disk can take, keeping room for the log to grow meanwhile.</summary>
    private long SpaceForSnapshot()
    {
        const long Reserve = 256L * 1024 * 1024;
        var free = new DriveInfo(Path.GetFullPath(storage.Value.DataDirectory)).AvailableFreeSpace;
        return Math.Max(0, free - Reserve);
    }

    private async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(IAsyncStreamReader<Proto.SnapshotChunk> stream, long expectedBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long total = 0;
        while (await stream.MoveNext(cancellationToken))
        {
            var data = stream.Current.Data.Memory;
            total += data.Length;
            if (total > expectedBytes)
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"more than the {expectedBytes} bytes the header announced"));
            host.SnapshotBytesReceived(data.Length);
            yield return data;
        }
        if (total != expectedBytes)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the stream ended after {total} of {expectedBytes} bytes"));
    }
}
