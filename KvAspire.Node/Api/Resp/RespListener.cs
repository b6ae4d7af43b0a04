using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The RESP listener: plain TCP, or TLS when <c>Resp:TlsCertificateFile</c> and <c>Resp:TlsKeyFile</c>
/// name a PEM certificate and key (as Redis' tls-cert-file / tls-key-file; in Kubernetes, the two
/// files of a mounted <c>kubernetes.io/tls</c> Secret). Clients then connect with
/// <c>redis-cli --tls</c> or StackExchange.Redis' <c>ssl=true</c>.
/// </summary>
public static class RespListener
{
    public static void Configure(ListenOptions listen, RespOptions options)
    {
        if (options.TlsCertificateFile is { Length: > 0 } certificate)
            listen.UseHttps(X509Certificate2.CreateFromPemFile(certificate, options.TlsKeyFile));
        listen.UseConnectionHandler<RespConnectionHandler>();
    }
}
