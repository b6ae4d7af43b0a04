using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KvAspire.Gateway.Tests;

/// <summary>
/// A stand-in for a node's RESP port: it greets each connection with <c>+name</c> (so a test knows which
/// node it reached) and then echoes every byte it receives.
/// </summary>
internal sealed class FakeRespServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly string name;

    public FakeRespServer(string name)
    {
        this.name = name;
        listener.Start();
        accepting = AcceptAsync();
    }

    public string Address => $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>How many connections reached this "node".</summary>
    public int Accepted => Volatile.Read(ref accepted);

    private int accepted;

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref accepted);
                connections.Add(EchoAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(connections);
    }

    private async Task EchoAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"+{name}\r\n"), stop.Token);
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
                    await stream.WriteAsync(buffer.AsMemory(0, read), stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
