using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using KvAspire.Node.Telemetry;
using KvAspire.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// One RESP client connection on Kestrel's connection middleware: read what has arrived, execute
/// every complete command in order (a pipeline's consecutive writes replicate together, its reads
/// share one confirmation), flush all their replies at once (so pipelined commands cost one
/// write), then wait for more. Protocol errors are answered and the connection closed, as Redis
/// does; nothing a client sends can affect another client. With <c>Auth:Password</c> unset only
/// loopback clients are served (protected mode); with it set, a client is held to small request
/// limits and <c>Resp:AuthTimeout</c> until it authenticates. A client that stops taking its
/// replies is disconnected after <c>Resp:SlowClientTimeout</c>: replies wait in a bounded pipe
/// (the transport's write buffer plus one flush threshold), never in an unbounded queue.
/// </summary>
public sealed class RespConnectionHandler(RespCommands commands, RespClients clients, AccessControl access, IOptions<RespOptions> options,
    ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    private readonly RespOptions _options = options.Value;
    private readonly RespReadLimits _readLimits = options.Value.ReadLimits;

    private RespReadLimits UnauthenticatedLimits => RespReadLimits.BeforeAuthentication(_readLimits);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString();
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (!access.Client.IsSet && !AccessControl.IsLocal(address))
        {
            Log.RespProtectedMode(logger, remote);
            await RefuseAsync(connection, RespErrors.Denied);
            return;
        }
        if (!clients.TryAdmit(_options.MaxClients))
        {
            Log.RespMaxClients(logger, remote, _options.MaxClients);
            await RefuseAsync(connection, RespErrors.MaxClients);
            return;
        }
        // A message published to this connection wakes its loop from its read, so only the loop writes to the socket.
        var input = connection.Transport.Input;
        var session = new RespSession(clients.NextId(), address, authenticated: !access.Client.IsSet, wake: input.CancelPendingRead);
        try
        {
            await ServeAsync(connection, session, remote);
        }
        catch (SlowClientException)
        {
            Log.RespSlowClient(logger, session.Id, remote, _options.SlowClientTimeout);
            connection.Abort();
        }
        catch (Exception e) when (e is ConnectionResetException or IOException or OperationCanceledException)
        {
            Log.RespConnectionLost(logger, session.Id, remote, e);
        }
        catch (Exception e)
        {
            Log.RespConnectionFailed(logger, session.Id, remote, e);
        }
        finally
        {
            session.Subscriber?.Dispose();
            clients.Leave();
        }
    }

    private async Task ServeAsync(ConnectionContext connection, RespSession session, string? remote)
    {
        var input = connection.Transport.Input;
        var closed = connection.ConnectionClosed;
        var output = new RespConnectionOutput(connection.Transport.Output, _options.SlowClientTimeout, closed);
        var arguments = new RespArguments();
        var writes = new RespPendingWrites();
        var connectedAt = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closed);
        while (true)
        {
            var (wait, untilAuthDeadline) = ReadTimeout(session, connectedAt);
            timeout.CancelAfter(wait);
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!closed.IsCancellationRequested)
            {
                if (untilAuthDeadline)
                    Log.RespAuthTimeout(logger, session.Id, remote, _options.AuthTimeout);
                else
                    Log.RespIdleTimeout(logger, session.Id, remote, _options.IdleTimeout);
                return;
            }
            var buffer = result.Buffer;
            var (status, error, position) = await ExecuteCompleteCommandsAsync(buffer, arguments, session, writes, output, closed);
            var unparsed = buffer.Slice(position).Length;
            input.AdvanceTo(position, buffer.End);
            session.Subscriber?.WritePending(output);
            if (status == RespReadStatus.ProtocolError)
            {
                RespWriter.WriteError(output, error!);
                await output.FlushAsync();
                Log.RespProtocolError(logger, session.Id, remote, error!);
                return;
            }
            await output.FlushAsync();
            if (session.Closing || result.IsCompleted)
                return;
            if (session.Subscriber is { Overflowed: true })
            {
                Log.RespSubscriberOverflow(logger, session.Id, remote, RespSubscriber.MaxPendingBytes);
                return;
            }
            // Redis closes such a client without a reply: it cannot be told anything useful mid-command.
            if (unparsed > _options.MaxQueryBufferBytes)
            {
                Log.RespQueryBufferExceeded(logger, session.Id, remote, unparsed, _options.MaxQueryBufferBytes);
                return;
            }
        }
    }

    /// <summary>
    /// Runs the commands wholly inside <paramref name="buffer"/>, in order, except that consecutive writes are
    /// proposed without waiting for each other (<see cref="RespPendingWrites"/>); returns how reading stopped
    /// and where, after every reply has been written.
    /// </summary>
    private async ValueTask<(RespReadStatus Status, string? Error, SequencePosition Position)> ExecuteCompleteCommandsAsync(
        ReadOnlySequence<byte> buffer, RespArguments arguments, RespSession session, RespPendingWrites writes, RespConnectionOutput output,
        CancellationToken closed)
    {
        var position = buffer.Start;
        // Input arrived since the last confirmation was asked for: those reads need a new one.
        session.Reads.Reset();
        while (!session.Closing)
        {
            if (!TryReadCommand(buffer.Slice(position), arguments, session, out var status, out var error, ref position))
            {
                await writes.DrainAsync(output);
                return (status, error, position);
            }
            var command = RespCommandTable.Find(arguments);
            var pipelining = RespCommands.PipeliningOf(command, arguments);
            if (pipelining != RespPipelining.Write || writes.WouldOverflow(arguments.TotalBytes))
                await writes.DrainAsync(output);
            if (pipelining != RespPipelining.Read)
                session.Reads.Reset();
            // The arguments point into the input buffer, which stays valid until the caller advances past it;
            // a write has copied what it needs by the time ExecuteAsync returns its task.
            if (pipelining == RespPipelining.Write)
                writes.Start(reply => commands.ExecuteAsync(session, command, arguments, reply, closed), arguments.TotalBytes);
            else
                await commands.ExecuteAsync(session, command, arguments, output, closed);
            arguments.Clear();
            await output.FlushIfFullAsync();
        }
        await writes.DrainAsync(output);
        return (RespReadStatus.Command, null, position);
    }

    /// <summary>
    /// How long the next read may wait: the idle timeout, and before authentication whatever is left of
    /// the authentication timeout, so a client trickling bytes cannot hold a connection unauthenticated.
    /// <c>UntilAuthDeadline</c> tells which of the two it is.
    /// </summary>
    private (TimeSpan Wait, bool UntilAuthDeadline) ReadTimeout(RespSession session, long connectedAt)
    {
        var idle = _options.IdleTimeout > TimeSpan.Zero ? _options.IdleTimeout : Timeout.InfiniteTimeSpan;
        if (session.Authenticated || _options.AuthTimeout == TimeSpan.Zero)
            return (idle, false);
        var left = _options.AuthTimeout - Stopwatch.GetElapsedTime(connectedAt);
        var auth = left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
        return idle == Timeout.InfiniteTimeSpan || auth < idle ? (auth, true) : (idle, false);
    }

    private static async Task RefuseAsync(ConnectionContext connection, string error)
    {
        RespWriter.WriteError(connection.Transport.Output, error);
        await connection.Transport.Output.FlushAsync();
    }

    /// <summary>A SequenceReader cannot live across an await, so each command is read with a fresh one.</summary>
    private bool TryReadCommand(ReadOnlySequence<byte> rest, RespArguments arguments, RespSession session, out RespReadStatus status, out string? error,
        ref SequencePosition position)
    {
        var reader = new SequenceReader<byte>(rest);
        status = RespReader.TryRead(ref reader, arguments, session.Authenticated ? _readLimits : UnauthenticatedLimits, out error);
        if (status == RespReadStatus.Command)
            position = reader.Position;
        return status == RespReadStatus.Command;
    }
}
