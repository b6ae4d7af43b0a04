using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using KvAspire.Security;

namespace KvAspire.Node.Transport;

/// <summary>
/// What a node sends on every peer call to prove it belongs to this cluster: its cluster id
/// (<c>kv-cluster</c> metadata) and <c>authorization: Bearer base64(HMAC-SHA256(Auth:Password,
/// "kvaspire-peer:" + cluster id))</c>. The HMAC ties the proof to the cluster id and never puts the
/// password itself on the wire, so a captured peer token does not open the client API. With no
/// password the token proves only the cluster id: peers are then not authenticated.
/// </summary>
public sealed class PeerCredentials
{
    public const string ClusterHeader = "kv-cluster";
    private const string AuthorizationHeader = "authorization";
    private const string Scheme = "Bearer ";

    private readonly string _token;
    private readonly Secret _expected;

    public PeerCredentials(string clusterId, string? password)
    {
        ClusterId = clusterId;
        IsAuthenticated = !string.IsNullOrEmpty(password);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(password ?? ""), Encoding.UTF8.GetBytes("kvaspire-peer:" + clusterId));
        _token = Convert.ToBase64String(mac);
        _expected = Secret.From("the peer token", _token);
        CallCredentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            AddTo(metadata);
            return Task.CompletedTask;
        });
    }

    public string ClusterId { get; }

    /// <summary>True when a password keys the token; false means only the cluster id is checked.</summary>
    public bool IsAuthenticated { get; }

    /// <summary>Adds the proof to every call on a channel (PeerSender's channel options).</summary>
    public CallCredentials CallCredentials { get; }

    public void AddTo(Metadata metadata)
    {
        metadata.Add(ClusterHeader, ClusterId);
        metadata.Add(AuthorizationHeader, Scheme + _token);
    }

    /// <summary>Null when <paramref name="headers"/> carry this cluster's proof; otherwise why not.</summary>
    public string? Problem(Metadata headers)
    {
        var cluster = headers.GetValue(ClusterHeader);
        if (cluster is null)
            return "no cluster id";
        if (cluster != ClusterId)
            return $"cluster id '{cluster}' is not this cluster's ('{ClusterId}')";
        var authorization = headers.GetValue(AuthorizationHeader);
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.Ordinal))
            return "no bearer token";
        return _expected.Matches(authorization[Scheme.Length..]) ? null : "the token is not this cluster's (a different Auth:Password)";
    }
}
