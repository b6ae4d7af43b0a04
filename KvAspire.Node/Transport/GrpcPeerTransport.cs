using KvAspire.Node.Consensus;

namespace KvAspire.Node.Transport;

/// <summary>Sends consensus messages over one gRPC (h2c) stream per peer.</summary>
public sealed class GrpcPeerTransport : IPeerTransport, IAsyncDisposable
{
    private readonly Dictionary<string, PeerSender> _senders;
    private readonly PeerIsolation _isolation;

    public GrpcPeerTransport(PeerDirectory peers, PeerIsolation isolation, PeerCredentials credentials, ILogger<GrpcPeerTransport> logger)
    {
        _isolation = isolation;
        if (!credentials.IsAuthenticated)
            Telemetry.Log.PeersUnauthenticated(logger, credentials.ClusterId);
        _senders = peers.Addresses.ToDictionary(p => p.Key, p => new PeerSender(p.Key, p.Value, credentials.CallCredentials, logger));
    }

    public void Send(Message message)
    {
        if (_isolation.IsIsolated)
            return;
        if (_senders.TryGetValue(message.To, out var sender))
            sender.Send(message);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
            await sender.DisposeAsync();
    }
}
