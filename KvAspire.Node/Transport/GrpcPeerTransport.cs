using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Transport;

/// <summary>Sends consensus messages over one gRPC (h2c) stream per peer, and snapshots over calls of their own.</summary>
public sealed class GrpcPeerTransport : IPeerTransport, IAsyncDisposable
{
    private readonly Dictionary<string, PeerSender> _senders = new(StringComparer.Ordinal);
    private readonly PeerDirectory _peers;
    private readonly PeerIsolation _isolation;
    private readonly PeerLinkCuts _cuts;
    private readonly PeerCredentials _credentials;
    private readonly ISnapshotStore _snapshots;
    private readonly ILogger<GrpcPeerTransport> _logger;

    public GrpcPeerTransport(PeerDirectory peers, PeerIsolation isolation, PeerLinkCuts cuts, PeerCredentials credentials,
        ISnapshotStore snapshots, ILogger<GrpcPeerTransport> logger)
    {
        _peers = peers;
        _isolation = isolation;
        _cuts = cuts;
        _credentials = credentials;
        _snapshots = snapshots;
        _logger = logger;
        if (!credentials.IsAuthenticated)
            Telemetry.Log.PeersUnauthenticated(logger, credentials.ClusterId);
    }

    public void Send(Message message, ActivityContext trace)
    {
        if (_isolation.IsIsolated || _cuts.IsCut(message.To))
            return;
        SenderTo(message.To)?.Send(message, trace);
    }

    public Task<bool> SendSnapshotAsync(InstallSnapshot message, CancellationToken cancellationToken) =>
        !_isolation.IsIsolated && !_cuts.IsCut(message.To) && SenderTo(message.To) is { } sender
            ? sender.SendSnapshotAsync(message).WaitAsync(cancellationToken)
            : Task.FromResult(false);

    /// <summary>The stream to <paramref name="peer"/>, opened the first time the loop sends it anything: members change at
    /// runtime, so the set of peers is not known up front. Null for a name nothing resolves (the message is lost, as
    /// to a peer that is down).</summary>
    private PeerSender? SenderTo(string peer)
    {
        if (_senders.TryGetValue(peer, out var sender))
            return sender;
        if (_peers.Resolve(peer) is not { } address)
            return null;
        sender = new PeerSender(peer, address, _credentials.CallCredentials, _snapshots, _logger);
        _senders.Add(peer, sender);
        return sender;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
            await sender.DisposeAsync();
    }
}
