using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using KvAspire.Bench.Resp;
using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>
/// GET, SET, DEL and SET NX straight to a node over RESP, following the primary: a -READONLY names it ("The primary
/// is node2 at 127.0.0.1:6380"), and with none named yet the client tries the next node. -READONLY, -LOADING and
/// "overloaded" did nothing; any other error, a timeout or a closed connection leaves a write's outcome unknown, and
/// the connection is dropped (its next reply could belong to the lost command).
/// </summary>
public sealed partial class RespProtocol(int[] ports, int firstNode, string password, TimeSpan timeout) : IKvProtocol
{
    private RespConnection? _connection;
    private int _port = ports[firstNode % ports.Length];

    public string Name => "resp";

    public async Task<Answer> RunAsync(OperationKind kind, string key, string? value, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            _connection ??= await RespConnection.ConnectAsync("127.0.0.1", _port, password, deadline.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Drop(nextNode: true);
            return Answer.Failed($"connect to {_port}: {e.Message}");
        }
        try
        {
            Append(_connection, kind, key, value);
            await _connection.SendAsync(deadline.Token);
            var reply = await _connection.ReadValueAsync(deadline.Token);
            return reply.IsError ? Refused(kind, reply.Text ?? "") : Answered(kind, reply);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Drop(nextNode: true);
            return Answer.Indeterminate(e is OperationCanceledException ? "timeout" : e.Message);
        }
    }

    private static void Append(RespConnection connection, OperationKind kind, string key, string? value)
    {
        ReadOnlyMemory<byte> k = Encoding.UTF8.GetBytes(key);
        switch (kind)
        {
            case OperationKind.Get: connection.Append("GET"u8.ToArray(), k); break;
            case OperationKind.Delete: connection.Append("DEL"u8.ToArray(), k); break;
            case OperationKind.Put: connection.Append("SET"u8.ToArray(), k, Encoding.UTF8.GetBytes(value!)); break;
            case OperationKind.PutIfAbsent: connection.Append("SET"u8.ToArray(), k, Encoding.UTF8.GetBytes(value!), "NX"u8.ToArray()); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an operation on a key");
        }
    }

    internal static Answer Answered(OperationKind kind, Bench.Resp.RespValue reply) => kind switch
    {
        OperationKind.Get => Answer.Ok(reply.Text),
        OperationKind.Put => Answer.Ok(),
        OperationKind.Delete => Answer.Ok(reply.Text == "0" ? "false" : "true"),
        _ => Answer.Ok(reply.Text is null ? "false" : "true"),
    };

    private Answer Refused(OperationKind kind, string error)
    {
        if (error.StartsWith("READONLY", StringComparison.Ordinal))
        {
            if (PrimaryAddress().Match(error) is { Success: true } primary)
                _port = int.Parse(primary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            else
                _port = ports[(Array.IndexOf(ports, _port) + 1) % ports.Length];
            Drop(nextNode: false);
        }
        return Classify(kind, error);
    }

    internal static Answer Classify(OperationKind kind, string error) =>
        kind == OperationKind.Get || error.StartsWith("READONLY", StringComparison.Ordinal) || error.StartsWith("LOADING", StringComparison.Ordinal)
        || error.StartsWith("ERR overloaded", StringComparison.Ordinal)
            ? Answer.Failed(error)
            : Answer.Indeterminate(error);

    private void Drop(bool nextNode)
    {
        _connection?.Dispose();
        _connection = null;
        if (nextNode)
            _port = ports[(Array.IndexOf(ports, _port) + 1) % ports.Length];
    }

    public ValueTask DisposeAsync()
    {
        _connection?.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"The primary is \S+ at [^\s:]+:(\d+)")]
    private static partial Regex PrimaryAddress();
}
