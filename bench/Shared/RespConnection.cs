using System.Net.Sockets;
using System.Text;

namespace KvAspire.Bench.Resp;

/// <summary>
/// A minimal pipelined RESP2 client: the caller appends commands, sends them in one write, then
/// reads exactly that many replies. A benchmark only checks them for being errors and skips the rest
/// (<see cref="ReadReplyAsync"/>); the chaos suite reads each one's value (<see cref="ReadValueAsync"/>).
/// </summary>
public sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly MemoryStream _outgoing = new();
    private byte[] _in = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespConnection(Socket socket) => _socket = socket;

    /// <summary>The last error reply seen, for the run's summary (e.g. READONLY on a secondary).</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Connects and, given a <paramref name="password"/>, sends <c>AUTH password</c> first and requires
    /// <c>+OK</c> (a KvAspire node answers everything else with <c>-NOAUTH</c> until then).
    /// </summary>
    public static async Task<RespConnection> ConnectAsync(string host, int port, string? password, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new RespConnection(socket);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            if (password is not null)
                await connection.AuthenticateAsync(password, cancellationToken);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task AuthenticateAsync(string password, CancellationToken cancellationToken)
    {
        Append("AUTH"u8.ToArray(), Encoding.UTF8.GetBytes(password));
        await SendAsync(cancellationToken);
        var line = await ReadLineAsync(cancellationToken);
        var reply = Encoding.UTF8.GetString(_in, line.Start, line.Length);
        if (reply != "+OK")
            throw new InvalidOperationException($"AUTH on {_socket.RemoteEndPoint} answered '{reply}'");
    }

    /// <summary>Appends one command as a RESP array of bulk strings.</summary>
    public void Append(params ReadOnlySpan<ReadOnlyMemory<byte>> parts)
    {
        WriteHeader((byte)'*', parts.Length);
        foreach (var part in parts)
        {
            WriteHeader((byte)'$', part.Length);
            _outgoing.Write(part.Span);
            _outgoing.Write("\r\n"u8);
        }
    }

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var pending = _outgoing.GetBuffer().AsMemory(0, (int)_outgoing.Length);
        while (!pending.IsEmpty)
        {
            var sent = await _socket.SendAsync(pending, SocketFlags.None, cancellationToken);
            pending = pending[sent..];
        }
        _outgoing.SetLength(0);
    }

    /// <summary>Reads one whole reply; false if it was an error reply.</summary>
    public async ValueTask<bool> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var type = _in[line.Start];
        switch (type)
        {
            case (byte)'-':
                LastError = Encoding.UTF8.GetString(_in, line.Start + 1, line.Length - 1);
                return false;
            case (byte)'$':
                var length = ParseInt(line);
                if (length >= 0)
                    await SkipAsync(length + 2, cancellationToken);
                return true;
            case (byte)'*':
                var count = ParseInt(line);
                var ok = true;
                for (var i = 0; i < count; i++)
                    ok &= await ReadReplyAsync(cancellationToken);
                return ok;
            default: // '+' and ':' are complete in their line
                return true;
        }
    }

    /// <summary>Reads one reply that is not an array: a simple string, error, integer or bulk string, as text.</summary>
    public async ValueTask<RespValue> ReadValueAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        var type = (char)_in[line.Start];
        if (type is '*')
            throw new InvalidDataException("an array reply where a single value was expected");
        if (type is not '$')
            return new RespValue(type, Encoding.UTF8.GetString(_in, line.Start + 1, line.Length - 1));
        var length = ParseInt(line);
        if (length < 0)
            return new RespValue(type, null);
        while (_end - _start < length + 2)
            await FillAsync(cancellationToken);
        var text = Encoding.UTF8.GetString(_in, _start, length);
        _start += length + 2;
        return new RespValue(type, text);
    }

    public void Dispose() => _socket.Dispose();

    private void WriteHeader(byte type, int value)
    {
        _outgoing.WriteByte(type);
        Span<byte> digits = stackalloc byte[12];
        value.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _outgoing.Write(digits[..written]);
        _outgoing.Write("\r\n"u8);
    }

    private int ParseInt((int Start, int Length) line) =>
        int.Parse(_in.AsSpan(line.Start + 1, line.Length - 1), provider: System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The next line without its CRLF, as a range of the input buffer valid until the next read.</summary>
    private async ValueTask<(int Start, int Length)> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var lf = Array.IndexOf(_in, (byte)'\n', _start + scanned, _end - _start - scanned);
            if (lf >= 0)
            {
                var start = _start;
                _start = lf + 1;
                return (start, lf - 1 - start);
            }
            scanned = _end - _start;
            await FillAsync(cancellationToken);
        }
    }

    private async ValueTask SkipAsync(int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
                await FillAsync(cancellationToken);
            var take = Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    /// <summary>Moves unread bytes to the front (growing the buffer if it is full of them) and reads more.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_in, _start, _in, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _in.Length)
            Array.Resize(ref _in, _in.Length * 2);
        var read = await _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
            throw new IOException("the server closed the connection");
        _end += read;
    }
}

/// <summary>One reply: its RESP type character ('+', '-', ':', '$') and its text, null for a nil bulk string.</summary>
public readonly record struct RespValue(char Type, string? Text)
{
    public bool IsError => Type == '-';
}
