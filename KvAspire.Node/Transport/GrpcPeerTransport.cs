using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Transport;

/// <summary>Sends consensus messages over one gRPC (h2c) stream per peer, and snapshots over calls of their own.</summary>
public sealed class GrpcPeerTransport : IPeerTransport, IAsyncDisposable
{
    private readonly Dictionary<string, PeerSender> _senders;
    private readonly PeerIsolation _isolation;
    private readonly PeerLinkCuts _cuts;

    public GrpcPeerTransport(PeerDirectory peers, PeerIsolation isolation, PeerLinkCuts cuts, PeerCredentials credentials,
        ISnapshotStore snapshots, ILogger<GrpcPeerTransport> logger)
    {
        _isolation = isolation;
        _cuts = cuts;
        if (!credentials.IsAuthenticated)
            Telemetry.Log.PeersUnauthenticated(logger, credentials.ClusterId);
        _senders = peers.Addresses.ToDictionary(p => p.Key, p => new PeerSender(p.Key, p.Value, credentials.CallCredentials, snapshots, logger));
    }

    public void Send(Message message, ActivityContext trace)
    {
        if (_isolation.IsIsolated || _cuts.IsCut(message.To))
            return;
        if (_senders.TryGetValue(message.To, out var sender))
            sender.Send(message, trace);
    }

    public Task<bool> SendSnapshotAsync(InstallSnapshot message, CancellationToken cancellationToken) =>
        !_isolation.IsIsolated && !_cuts.IsCut(message.To) && _senders.TryGetValue(message.To, out var sender)
            ? sender.SendSnapshotAsync(message).WaitAsync(cancellationToken)
            : Task.FromResult(false);

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
            await sender.DisposeAsync();
    }
}
