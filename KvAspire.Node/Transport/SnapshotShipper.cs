using Google.Protobuf;
using Grpc.Core;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>
/// Streams snapshot files to one peer over their own gRPC call, one at a time: the newest snapshot on
/// disk is sent (it may be newer than the one the core named, which only helps the secondary).
/// </summary>
internal sealed class SnapshotShipper(string peer, Proto.Peer.PeerClient client, ISnapshotStore snapshots, ILogger logger)
{
    private const int ChunkBytes = 1024 * 1024;
    private readonly Lock _lock = new();
    private Task<bool> _inFlight = Task.FromResult(false);

    public Task<bool> SendAsync(InstallSnapshot message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_inFlight.IsCompleted)
                _inFlight = Task.Run(() => StreamAsync(message, cancellationToken), cancellationToken);
            return _inFlight;
        }
    }

    private async Task<bool> StreamAsync(InstallSnapshot message, CancellationToken cancellationToken)
    {
        if (snapshots.OpenLatest() is not var (snapshot, file))
            return false;
        var started = TimeProvider.System.GetTimestamp();
        await using (file)
        {
            try
            {
                using var call = client.InstallSnapshot(cancellationToken: cancellationToken);
                await call.RequestStream.WriteAsync(new Proto.SnapshotChunk
                {
                    Header = new Proto.SnapshotHeader
                    {
                        From = message.From, To = message.To, Term = message.Term,
                        Index = snapshot.Index, SnapshotTerm = snapshot.Term, FileBytes = file.Length,
                    },
                }, cancellationToken);
                var buffer = new byte[ChunkBytes];
                int read;
                while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
                    await call.RequestStream.WriteAsync(new Proto.SnapshotChunk { Data = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken);
                await call.RequestStream.CompleteAsync();
                await call.ResponseAsync;
                Log.SnapshotSent(logger, snapshot.Index, snapshot.Term, peer, file.Length,
                    TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
                return true;
            }
            catch (Exception e) when (e is RpcException or IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                Log.SnapshotSendFailed(logger, snapshot.Index, peer, e);
                return false;
            }
        }
    }
}
