using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using KvAspire.Node.Api.Resp;
using Microsoft.AspNetCore.Connections;

namespace KvAspire.Node.Tests.Resp;

/// <summary>
/// One client connection served by the real <see cref="RespConnectionHandler"/> over in-memory pipes,
/// with any remote address. Replies wait in a pipe that pauses the server at
/// <see cref="ReplyBufferBytes"/> until the test reads, like a socket whose client does not read.
/// </summary>
internal sealed class InMemoryConnection
{
    public const int ReplyBufferBytes = 64 * 1024;

    /// <summary>Kestrel's default read-ahead: its socket transport stops reading once this much input is unconsumed.</summary>
    public const int KestrelReadBufferBytes = 1024 * 1024;

    private readonly Pipe _requests;
    private readonly Pipe _replies = new(new PipeOptions(pauseWriterThreshold: ReplyBufferBytes, resumeWriterThreshold: ReplyBufferBytes / 2));
    private readonly StringBuilder _received = new();

    private InMemoryConnection(RespConnectionHandler handler, EndPoint remote, long requestBufferBytes)
    {
        _requests = new(new PipeOptions(pauseWriterThreshold: requestBufferBytes, resumeWriterThreshold: requestBufferBytes / 2));
        ServerOutput = new MeasuredPipeWriter(_replies.Writer);
        Context = new DefaultConnectionContext(Guid.NewGuid().ToString("N"),
            new DuplexPipe(_requests.Reader, ServerOutput), new DuplexPipe(_replies.Reader, _requests.Writer))
        {
            RemoteEndPoint = remote,
        };
        Served = Task.Run(() => handler.OnConnectedAsync(Context));
    }

    public DefaultConnectionContext Context { get; }

    /// <summary>The server's side of the replies: it tells the most the server held unflushed.</summary>
    public MeasuredPipeWriter ServerOutput { get; }

    /// <summary>Completes when the handler is done with the connection: the server closed it.</summary>
    public Task Served { get; }

    /// <param name="requestBufferBytes">Unconsumed input past which the client's sends wait, as Kestrel's transport does
    /// (<see cref="KestrelReadBufferBytes"/>); 0, the default, never pushes back, so a test can send more than the server will take.</param>
    public static InMemoryConnection Open(RespConnectionHandler handler, string remote = "127.0.0.1", long requestBufferBytes = 0) =>
        new(handler, new IPEndPoint(IPAddress.Parse(remote), 50_000), requestBufferBytes);

    public async Task SendAsync(string request) => await SendAsync(Encoding.UTF8.GetBytes(request));

    public async Task SendAsync(byte[] request) => await _requests.Writer.WriteAsync(request);

    /// <summary>Reads until <paramref name="replies"/> whole CRLF-terminated lines have arrived; returns them as text.</summary>
    public async Task<string> ReadLinesAsync(int replies, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (CountLines(_received) < replies)
        {
            var result = await _replies.Reader.ReadAsync(cancel.Token);
            foreach (var segment in result.Buffer)
                _received.Append(Encoding.UTF8.GetString(segment.Span));
            _replies.Reader.AdvanceTo(result.Buffer.End);
        }
        var text = _received.ToString();
        _received.Clear();
        return text;
    }

    /// <summary>Reads exactly <paramref name="count"/> reply bytes.</summary>
    public async Task<byte[]> ReadBytesAsync(int count, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var bytes = new byte[count];
        var read = 0;
        while (read < count)
        {
            var result = await _replies.Reader.ReadAsync(cancel.Token);
            var take = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, count - read));
            take.CopyTo(bytes.AsSpan(read));
            read += (int)take.Length;
            _replies.Reader.AdvanceTo(take.End);
        }
        return bytes;
    }

    /// <summary>Whatever replies have arrived, without waiting for more.</summary>
    public string ReadAvailable()
    {
        if (!_replies.Reader.TryRead(out var result))
            return "";
        var text = Encoding.UTF8.GetString(result.Buffer);
        _replies.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    private static int CountLines(StringBuilder text) => text.ToString().Split("\r\n").Length - 1;

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
