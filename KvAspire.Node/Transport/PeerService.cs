using Grpc.Core;
using KvAspire.Node.Cluster;
using KvAspire.Node.Telemetry;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>The receiving end of every peer's stream: hands each message to the host loop.</summary>
public sealed class PeerService(RaftHost host, PeerIsolation isolation, IHostApplicationLifetime lifetime, ILogger<PeerService> logger)
    : Proto.Peer.PeerBase
{
    public override async Task<Proto.StreamClosed> Stream(IAsyncStreamReader<Proto.PeerMessage> requestStream, ServerCallContext context)
    {
        // Peer streams never end on their own: without this, shutdown would wait out Kestrel's timeout.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var proto in requestStream.ReadAllAsync(stopping.Token))
            {
                // Keep reading while isolated so the sender's stream stays open; the message is just lost.
                if (isolation.IsIsolated)
                    continue;
                if (MessageMapper.FromProto(proto) is { } message)
                    host.Deliver(message);
                else
                    Log.PeerMessageDropped(logger, proto.From, "message has no known body");
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
        return new Proto.StreamClosed();
    }
}
