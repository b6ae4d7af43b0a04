using System.Net;
using KvAspire.Node.Api.Resp;
using KvAspire.Node.Tests.Resp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KvAspire.Node.Tests.DataModel;

/// <summary>
/// A one-node cluster in this process behind a real RESP socket, with a StackExchange.Redis multiplexer
/// connected to it: the data model as applications reach it. One per test class.
/// </summary>
public sealed class RespServer : IAsyncLifetime
{
    private SingleNodeResp _node = null!;
    private WebApplication _app = null!;

    public ConnectionMultiplexer Redis { get; private set; } = null!;
    public string Configuration { get; private set; } = "";

    public IDatabase Db => Redis.GetDatabase();

    public async Task InitializeAsync()
    {
        _node = await SingleNodeResp.StartAsync();
        ListenOptions? listener = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(_node.Handler);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listener = listen;
            RespListener.Configure(listen, new RespOptions());
        }));
        _app = builder.Build();
        await _app.StartAsync();
        Configuration = $"127.0.0.1:{listener!.IPEndPoint!.Port},abortConnect=false,connectTimeout=30000,syncTimeout=30000,asyncTimeout=30000";
        Redis = await ConnectionMultiplexer.ConnectAsync(Configuration);
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await _app.DisposeAsync();
        await _node.DisposeAsync();
    }
}
