using Grpc.Core;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Proto = KvAspire.Node.Transport.Protos;

namespace KvAspire.Node.Tests.Security;

/// <summary>
/// The server interceptor in front of PeerService: a call without this cluster's proof fails with
/// Unauthenticated and the service method (which hands messages to the host loop) never runs.
/// </summary>
public sealed class PeerAuthenticationTests
{
    private const string Password = "cluster-pass";
    private static readonly PeerCredentials Ours = new("kvaspire", Password);

    [Fact]
    public async Task ACallWithThisClustersCredentials_ReachesTheService()
    {
        var (result, reached) = await CallAsync(Headers(Ours));

        Assert.Null(result);
        Assert.True(reached);
    }

    public static TheoryData<string, Metadata> Strangers => new()
    {
        { "no credentials", [] },
        { "a foreign cluster with the same password", Headers(new PeerCredentials("other-cluster", Password)) },
        { "a forged secret", Headers(new PeerCredentials("kvaspire", "guessed")) },
        { "no password at all", Headers(new PeerCredentials("kvaspire", null)) },
        { "the client password itself as the token", new Metadata { { PeerCredentials.ClusterHeader, "kvaspire" }, { "authorization", "Bearer " + Password } } },
    };

    [Theory]
    [MemberData(nameof(Strangers))]
    public async Task ACallFrom_IsRejectedUnauthenticated_BeforeTheServiceRuns(string who, Metadata headers)
    {
        var (error, reached) = await CallAsync(headers);

        Assert.True(error is { StatusCode: StatusCode.Unauthenticated }, $"{who}: {error?.Status}");
        Assert.False(reached, $"{who} reached the service");
    }

    private static Metadata Headers(PeerCredentials credentials)
    {
        var metadata = new Metadata();
        credentials.AddTo(metadata);
        return metadata;
    }

    private static async Task<(RpcException? Error, bool Reached)> CallAsync(Metadata headers)
    {
        var interceptor = new PeerAuthenticationInterceptor(Ours, NullLogger<PeerAuthenticationInterceptor>.Instance);
        var reached = false;
        try
        {
            await interceptor.ClientStreamingServerHandler<Proto.PeerMessage, Proto.StreamClosed>(null!, new FakeCallContext(headers),
                (_, _) =>
                {
                    reached = true;
                    return Task.FromResult(new Proto.StreamClosed());
                });
            return (null, reached);
        }
        catch (RpcException e)
        {
            return (e, reached);
        }
    }

    private sealed class FakeCallContext(Metadata headers) : ServerCallContext
    {
        protected override string MethodCore => "/kvaspire.peer.Peer/Stream";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:192.0.2.1:5000";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore => headers;
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
