using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Transport;

/// <summary>
/// Rejects every peer call without this cluster's <see cref="PeerCredentials"/> with
/// <see cref="StatusCode.Unauthenticated"/> before the service method runs, so a foreign or forged
/// message never reaches the host loop: it cannot bump a term or win a vote. A misconfigured peer
/// retries every few hundred milliseconds, so rejections are logged at most once per
/// <see cref="LogInterval"/>, with the count in between.
/// </summary>
public sealed class PeerAuthenticationInterceptor(PeerCredentials credentials, ILogger<PeerAuthenticationInterceptor> logger) : Interceptor
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private long _lastLogged = long.MinValue;
    private int _unlogged;

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, context);
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authenticate(ServerCallContext context)
    {
        if (credentials.Problem(context.RequestHeaders) is not { } problem)
            return;
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastLogged);
        if ((last == long.MinValue || Stopwatch.GetElapsedTime(last, now) >= LogInterval)
            && Interlocked.CompareExchange(ref _lastLogged, now, last) == last)
            Log.PeerCallRejected(logger, context.Peer, problem, Interlocked.Exchange(ref _unlogged, 0));
        else
            Interlocked.Increment(ref _unlogged);
        throw new RpcException(new Status(StatusCode.Unauthenticated, "not a member of this cluster: " + problem));
    }
}
