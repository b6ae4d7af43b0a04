using System.Net;
using System.Net.Sockets;
using System.Text;
using KvAspire.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace KvAspire.Gateway.Resp;

/// <summary>
/// The gateway's Redis-protocol endpoint: each client connection is joined, byte for byte, to a new
/// connection to the primary's RESP port, so AUTH, pipelines and every reply pass through unchanged and
/// the node applies its own rules (the first command, AUTH, is also checked here: <see cref="RespAuthGate"/>).
/// When another node is elected the connection is closed: Redis clients
/// reconnect, and a new connection reaches the new primary, so one address follows failovers without
/// Sentinel. A client that connects while no primary is reachable waits up to
/// <c>Gateway:RespPrimaryWait</c> for one. With <c>Auth:Password</c> unset only loopback clients are
/// forwarded, as the nodes' protected mode would (the nodes see the gateway's address, not the client's).
/// </summary>
public sealed class RespForwarder(PrimaryTracker tracker, AccessControl access, RespAuthGate authentication,
    SocketConnectionContextFactory upstreams, IOptions<GatewayOptions> options, ILogger<RespForwarder> logger) : ConnectionHandler
{
    private static readonly TimeSpan RouteCheckInterval = TimeSpan.FromMilliseconds(50);
    private readonly GatewayOptions _options = options.Value;

    public override async Task OnConnectedAsync(ConnectionContext client)
    {
        var remote = client.RemoteEndPoint?.ToString();
        if (!access.Client.IsSet && !AccessControl.IsLocal((client.RemoteEndPoint as IPEndPoint)?.Address))
        {
            await RefuseAsync(client, "DENIED the gateway forwards only loopback clients while no password is set (Auth:Password)");
            return;
        }
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(client.ConnectionClosed);
        if (await authentication.CheckAsync(client, closing.Token) is { Pass: false } refused)
        {
            if (refused.Error is { } error)
                await RefuseAsync(client, error);
            return;
        }
        var (primary, moved, socket) = await ConnectToPrimaryAsync(closing.Token);
        if (socket is null)
        {
            Log.RespNoPrimary(logger, remote, _options.RespPrimaryWait);
            await RefuseAsync(client, $"ERR KvAspire gateway: no primary was reachable within {_options.RespPrimaryWait.TotalSeconds:0.#} s " +
                "(Gateway:RespPrimaryWait); retry shortly");
            return;
        }
        // Kestrel's own socket transport on the primary's side too: pooled buffers, no stream adapter.
        await using (var node = upstreams.Create(socket))
        using (moved.Register(closing.Cancel))
        {
            await ForwardAsync(client, node, closing.Token);
        }
        if (moved.IsCancellationRequested)
            Log.RespClosedOnFailover(logger, remote, primary!.Name);
    }

    /// <summary>Copies both ways until either side ends or the primary moves; returning closes the client's connection.</summary>
    private static async Task ForwardAsync(ConnectionContext client, ConnectionContext node, CancellationToken closing)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(closing);
        var requests = client.Transport.Input.CopyToAsync(node.Transport.Output, stop.Token);
        var replies = node.Transport.Input.CopyToAsync(client.Transport.Output, stop.Token);
        await Task.WhenAny(requests, replies);
        // Whichever side ended, the other must not outlive it: a half-forwarded connection would hang its client.
        await stop.CancelAsync();
        await Task.WhenAll(requests, replies).ContinueWith(_ => { }, TaskScheduler.Default);
        await node.Transport.Output.CompleteAsync();
    }

    /// <summary>The primary's RESP connection, trying again as the tracker learns of another primary, until the wait is over.</summary>
    private async Task<(ClusterNode? Node, CancellationToken Moved, Socket? Upstream)> ConnectToPrimaryAsync(CancellationToken closing)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(closing);
        waiting.CancelAfter(_options.RespPrimaryWait);
        try
        {
            while (true)
            {
                // A dead primary refuses at once; the tracker names the new one within a poll of its election.
                var (node, moved) = tracker.Route();
                if (node?.Resp is { } address && await TryConnectAsync(address, waiting.Token) is { } socket)
                    return (node, moved, socket);
                await Task.Delay(RouteCheckInterval, waiting.Token);
            }
        }
        catch (OperationCanceledException) when (!closing.IsCancellationRequested)
        {
            return (null, default, null);
        }
    }

    private async Task<Socket?> TryConnectAsync(DnsEndPoint address, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RespConnectTimeout);
        try
        {
            await socket.ConnectAsync(address, timeout.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.RespPrimaryUnreachable(logger, address.ToString(), e.Message);
            socket.Dispose();
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task RefuseAsync(ConnectionContext client, string error)
    {
        await client.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes($"-{error}\r\n"));
        await client.Transport.Output.CompleteAsync();
    }
}
