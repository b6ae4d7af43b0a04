using System.Diagnostics;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using KvAspire.Node.Consensus;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Transport;

/// <summary>
/// One peer's outgoing stream. Messages queue without blocking the host loop; a background loop
/// writes them to a long-lived gRPC stream, reconnecting with backoff. When the peer is down the
/// queue keeps only the newest messages: consensus tolerates loss, and old heartbeats are worthless.
/// </summary>
internal sealed class PeerSender : IAsyncDisposable
{
    private const int QueueCapacity = 4096;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(250);

    private readonly string _peer;
    private readonly GrpcChannel _channel;
    private readonly ILogger _logger;
    // A struct beside each message, not a wrapper object: an untraced message costs no allocation here.
    private readonly Channel<(Message Message, ActivityContext Trace)> _queue = Channel.CreateBounded<(Message, ActivityContext)>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Proto.Peer.PeerClient _client;
    private readonly SnapshotShipper _snapshots;
    private readonly Task _loop;
    /// <summary>Whether the last attempt to write to the peer worked (null before the first): a peer that is down is
    /// one warning when it goes and one line when it returns, not a line per reconnect attempt.</summary>
    private bool? _reachable;

    public PeerSender(string peer, Uri address, CallCredentials credentials, ISnapshotStore snapshots, ILogger logger)
    {
        _peer = peer;
        _logger = logger;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxSendMessageSize = null,
            // Peer links are h2c: the membership proof (PeerCredentials) rides on a channel gRPC deems insecure.
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(1),
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            },
        });
        _client = new Proto.Peer.PeerClient(_channel);
        _snapshots = new SnapshotShipper(peer, _client, snapshots, logger);
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    public void Send(Message message, ActivityContext trace) => _queue.Writer.TryWrite((message, trace));

    public Task<bool> SendSnapshotAsync(InstallSnapshot message) => _snapshots.SendAsync(message, _stopping.Token);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var call = _client.Stream(cancellationToken: cancellationToken);
                while (await _queue.Reader.WaitToReadAsync(cancellationToken))
                {
                    var batch = new Proto.PeerBatch();
                    long bytes = 0;
                    while (bytes < PeerLimits.MaxBatchBytes && _queue.Reader.TryRead(out var queued))
                    {
                        var proto = MessageMapper.ToProto(queued.Message, queued.Trace);
                        bytes += proto.CalculateSize();
                        batch.Messages.Add(proto);
                    }
                    await call.RequestStream.WriteAsync(batch, cancellationToken);
                    backoff = MinBackoff;
                    if (_reachable == false)
                        Log.PeerReachable(_logger, _peer);
                    _reachable = true;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                if (_reachable != false)
                    Log.PeerUnreachable(_logger, _peer, e.Message);
                _reachable = false;
                Log.PeerStreamFailed(_logger, _peer, backoff, e);
                if (!await DelayAsync(backoff, cancellationToken))
                    return;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _loop;
        _channel.Dispose();
        _stopping.Dispose();
    }
}
