using System.Buffers;
using System.IO.Pipelines;
using KvAspire.Node.Cluster;
using KvAspire.Node.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// One RESP client connection on Kestrel's connection middleware: read what has arrived, execute
/// every complete command in order, flush all their replies at once (so pipelined commands cost one
/// write), then wait for more. Protocol errors are answered and the connection closed, as Redis
/// does; nothing a client sends can affect another client.
/// </summary>
public sealed class RespConnectionHandler(RespCommands commands, RespClients clients, IOptions<RespOptions> options,
    IOptions<LimitsOptions> limits, ILogger<RespConnectionHandler> logger) : ConnectionHandler
{
    /// <summary>Replies beyond this are flushed before the next command, so big replies are never all held in memory.</summary>
    private const int FlushThreshold = 256 * 1024;

    private readonly RespOptions _options = options.Value;
    private readonly RespReadLimits _readLimits = new(options.Value.MaxMultibulkLength, RespOptions.MaxBulkBytes(limits.Value),
        options.Value.MaxInlineBytes);

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString();
        if (!clients.TryAdmit(_options.MaxClients))
        {
            Log.RespMaxClients(logger, remote, _options.MaxClients);
            RespWriter.WriteError(connection.Transport.Output, RespErrors.MaxClients);
            await connection.Transport.Output.FlushAsync();
            return;
        }
        var session = new RespSession(clients.NextId());
        try
        {
            await ServeAsync(connection, session, remote);
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
            clients.Leave();
        }
    }

    private async Task ServeAsync(ConnectionContext connection, RespSession session, string? remote)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var closed = connection.ConnectionClosed;
        var arguments = new RespArguments();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(closed);
        while (true)
        {
            if (_options.IdleTimeout > TimeSpan.Zero)
                idle.CancelAfter(_options.IdleTimeout);
            ReadResult result;
            try
            {
                result = await input.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!closed.IsCancellationRequested)
            {
                Log.RespIdleTimeout(logger, session.Id, remote, _options.IdleTimeout);
                return;
            }
            var buffer = result.Buffer;
            var (status, error, position) = await ExecuteCompleteCommandsAsync(buffer, arguments, session, output, closed);
            var unparsed = buffer.Slice(position).Length;
            input.AdvanceTo(position, buffer.End);
            if (status == RespReadStatus.ProtocolError)
            {
                RespWriter.WriteError(output, error!);
                await output.FlushAsync(closed);
                Log.RespProtocolError(logger, session.Id, remote, error!);
                return;
            }
            await output.FlushAsync(closed);
            if (session.Closing || result.IsCompleted)
                return;
            // Redis closes such a client without a reply: it cannot be told anything useful mid-command.
            if (unparsed > _options.MaxQueryBufferBytes)
            {
                Log.RespQueryBufferExceeded(logger, session.Id, remote, unparsed, _options.MaxQueryBufferBytes);
                return;
            }
        }
    }

    /// <summary>Runs the commands wholly inside <paramref name="buffer"/>; returns how reading stopped and where.</summary>
    private async ValueTask<(RespReadStatus Status, string? Error, SequencePosition Position)> ExecuteCompleteCommandsAsync(
        ReadOnlySequence<byte> buffer, RespArguments arguments, RespSession session, PipeWriter output, CancellationToken closed)
    {
        var position = buffer.Start;
        while (!session.Closing)
        {
            if (!TryReadCommand(buffer.Slice(position), arguments, out var status, out var error, ref position))
                return (status, error, position);
            // The arguments point into the input buffer, which stays valid until the caller advances past it.
            await commands.ExecuteAsync(session, arguments, output, closed);
            arguments.Clear();
            if (output.CanGetUnflushedBytes && output.UnflushedBytes > FlushThreshold)
                await output.FlushAsync(closed);
        }
        return (RespReadStatus.Command, null, position);
    }

    /// <summary>A SequenceReader cannot live across an await, so each command is read with a fresh one.</summary>
    private bool TryReadCommand(ReadOnlySequence<byte> rest, RespArguments arguments, out RespReadStatus status, out string? error,
        ref SequencePosition position)
    {
        var reader = new SequenceReader<byte>(rest);
        status = RespReader.TryRead(ref reader, arguments, _readLimits, out error);
        if (status == RespReadStatus.Command)
            position = reader.Position;
        return status == RespReadStatus.Command;
    }
}
