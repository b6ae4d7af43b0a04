using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace KvAspire.Gateway.Resp;

/// <summary>
/// Listens on <c>Gateway:RespPort</c> with <see cref="RespForwarder"/>. Kestrel stops binding the hosting
/// addresses (<c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>) once any endpoint is declared in code,
/// so the HTTP endpoints they name are declared here too: Aspire and Kubernetes keep setting them as before.
/// </summary>
public static class RespEndpoint
{
    private const string DefaultUrl = "http://localhost:5000";

    public static void Listen(KestrelServerOptions kestrel, IConfiguration configuration, int respPort)
    {
        foreach (var url in HostingUrls(configuration))
            ListenHttp(kestrel, url);
        kestrel.ListenAnyIP(respPort, listen => listen.UseConnectionHandler<RespForwarder>());
    }

    /// <summary>ASP.NET Core's order: <c>urls</c>, else <c>http_ports</c>, else its default address.</summary>
    private static IEnumerable<string> HostingUrls(IConfiguration configuration)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (configuration["http_ports"] is { Length: > 0 } ports)
            return ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"http://*:{port}");
        return [DefaultUrl];
    }

    private static void ListenHttp(KestrelServerOptions kestrel, string url)
    {
        var address = BindingAddress.Parse(url);
        if (address.Scheme != Uri.UriSchemeHttp || address.IsUnixPipe)
            throw new InvalidOperationException($"The gateway listens on plain http://host:port addresses only; got '{url}' (ASPNETCORE_URLS).");
        if (address.Host == "localhost")
            kestrel.ListenLocalhost(address.Port);
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
            kestrel.Listen(ip, address.Port);
        else
            kestrel.ListenAnyIP(address.Port); // "*", "+" or a host name: Kestrel binds those to every address too
    }
}
