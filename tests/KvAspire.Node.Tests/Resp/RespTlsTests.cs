using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KvAspire.Node.Api.Resp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests.Resp;

/// <summary>The RESP listener with Resp:TlsCertificateFile / Resp:TlsKeyFile on a real Kestrel socket.</summary>
public sealed class RespTlsTests : IAsyncLifetime
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("kvaspire-tls-").FullName;
    private SingleNodeResp _node = null!;
    private WebApplication? _app;

    public async Task InitializeAsync() => _node = await SingleNodeResp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
        await _node.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task WithACertificate_ClientsSpeakRespOverTls_AndSeeThatCertificate()
    {
        using var certificate = WritePemCertificate(out var certificateFile, out var keyFile);
        var port = await StartAsync(new RespOptions { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile });
        X509Certificate? presented = null;

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, remote, _, _) =>
        {
            presented = remote;
            return remote is not null && remote.GetCertHashString() == certificate.GetCertHashString();
        });
        await tls.AuthenticateAsClientAsync("localhost");
        await tls.WriteAsync("PING\r\n"u8.ToArray());
        var reply = await ReadAsync(tls);

        Assert.Equal("+PONG\r\n", reply);
        Assert.Equal(certificate.GetCertHashString(), presented?.GetCertHashString());
    }

    [Fact]
    public async Task WithACertificate_PlainTextIsNotAnswered()
    {
        WritePemCertificate(out var certificateFile, out var keyFile).Dispose();
        var port = await StartAsync(new RespOptions { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var reply = await ReadAsync(stream);

        Assert.DoesNotContain("PONG", reply);
    }

    [Fact]
    public void OnlyOneOfTheTwoFiles_FailsValidationNamingTheSetting()
    {
        WritePemCertificate(out var certificateFile, out _).Dispose();

        var error = Assert.Throws<OptionsValidationException>(() =>
            SettingsCheck.Validate(new RespOptions { TlsCertificateFile = certificateFile }));

        Assert.Contains("Resp:TlsCertificateFile", error.Message);
    }

    private async Task<int> StartAsync(RespOptions options)
    {
        ListenOptions? listener = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(_node.Handler);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listener = listen;
            RespListener.Configure(listen, options);
        }));
        _app = builder.Build();
        await _app.StartAsync();
        return listener!.IPEndPoint!.Port;
    }

    /// <summary>A self-signed certificate for localhost, written as the PEM files a Kubernetes TLS Secret mounts.</summary>
    private X509Certificate2 WritePemCertificate(out string certificateFile, out string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certificateFile = Path.Combine(_folder, "tls.crt");
        keyFile = Path.Combine(_folder, "tls.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }

    /// <summary>One read: the whole short reply, or what the server sent before closing.</summary>
    private static async Task<string> ReadAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        var buffer = new byte[1024];
        try
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            return "(connection closed)";
        }
    }
}
