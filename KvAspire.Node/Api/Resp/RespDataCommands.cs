using System.Buffers;
using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using Microsoft.Extensions.Options;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The key-value commands, each a thin translation onto <see cref="KvCommands"/>: arguments in,
/// named outcomes out, Redis replies and errors written. Writes follow <c>Replication:Acknowledge</c>.
/// </summary>
public sealed class RespDataCommands(KvCommands commands, RespDirectory directory, IOptions<LimitsOptions> limits, RespPlanRunner plans)
{
    private static readonly RespCommandInfo SetCommand = RespCommandTable.Find("set")!;

    private readonly LimitsOptions _limits = limits.Value;

    public async ValueTask GetAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (!TryKey(args, 1, output, out var key))
            return;
        var outcome = await commands.GetAsync(key, cancellationToken, session.Reads);
        if (outcome is ReadOutcome.Found found)
            WriteBulk(output, found.Value.Value.Span);
        else if (outcome is ReadOutcome.NotFound)
            WriteNull(output);
        else if (outcome is ReadOutcome.Reply reply)
            RespReplyWriter.Write(output, reply.Value);
        else
            WriteError(output, Refusal(outcome));
    }

    /// <summary>
    /// <c>SET key value [NX|XX]</c> here; with GET or an expiry option (EX, PX, EXAT, PXAT, KEEPTTL) as a plan, whose
    /// options the state machine applies, so GET answers exactly the value the write replaced.
    /// </summary>
    public async ValueTask SetAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        CommandOp? condition = null;
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, RespLiterals.Nx) || args.Is(i, RespLiterals.Xx))
            {
                var op = args.Is(i, RespLiterals.Nx) ? CommandOp.SetIfAbsent : CommandOp.SetIfPresent;
                if (condition is not null && condition != op)
                {
                    WriteError(output, RespErrors.Syntax);
                    return;
                }
                condition = op;
            }
            else
            {
                await plans.RunAsync(session, SetCommand, args, output, cancellationToken);
                return;
            }
        }
        if (!TryKey(args, 1, output, out var key) || !TryValue(args, 2, output, out var value))
            return;
        var outcome = condition is { } conditional
            ? await commands.SetIfAsync(conditional, key, value, cancellationToken)
            : await commands.SetAsync(key, value, null, null, cancellationToken);
        session.Wrote(outcome);
        if (outcome is not WriteOutcome.Written written)
            WriteError(output, Refusal(outcome));
        else if (condition == CommandOp.SetIfAbsent ? written.Existed == true : condition == CommandOp.SetIfPresent && written.Existed != true)
            WriteNull(output);
        else
            WriteRaw(output, RespLiterals.Ok);
    }

    /// <summary><c>SETNX key value</c> (StackExchange.Redis' "set when not exists"): 1 if set, 0 if the key existed.</summary>
    public async ValueTask SetIfAbsentAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (!TryKey(args, 1, output, out var key) || !TryValue(args, 2, output, out var value))
            return;
        var outcome = await commands.SetIfAsync(CommandOp.SetIfAbsent, key, value, cancellationToken);
        session.Wrote(outcome);
        if (outcome is WriteOutcome.Written written)
            WriteInteger(output, written.Existed == true ? 0 : 1);
        else
            WriteError(output, Refusal(outcome));
    }

    public async ValueTask DeleteAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (!TryKeys(args, 1, 1, output, out var keys))
            return;
        var (outcome, removed) = await commands.DeleteManyAsync(keys, null, cancellationToken);
        session.Wrote(outcome);
        if (outcome is WriteOutcome.Written)
            WriteInteger(output, removed);
        else
            WriteError(output, Refusal(outcome));
    }

    public async ValueTask ExistsAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (TryKeys(args, 1, 1, output, out var keys))
            WriteCount(output, await commands.CountExistingAsync(keys, cancellationToken, session.Reads));
    }

    public async ValueTask CountKeysAsync(IBufferWriter<byte> output, CancellationToken cancellationToken) =>
        WriteCount(output, await commands.CountKeysAsync(cancellationToken));

    public async ValueTask GetManyAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (!TryKeys(args, 1, 1, output, out var keys))
            return;
        var outcome = await commands.GetManyAsync(keys, cancellationToken, session.Reads);
        if (outcome is not ReadOutcome.Values values)
        {
            WriteError(output, Refusal(outcome));
            return;
        }
        // Sent as it is written, as Redis streams into its output buffer: MGET of many large values must not be held whole.
        WriteArrayHeader(output, values.Items.Count);
        foreach (var value in values.Items)
        {
            if (value is null)
                WriteNull(output);
            else
                WriteBulk(output, value.Value.Span);
            await RespConnectionOutput.FlushIfFullAsync(output);
        }
    }

    /// <summary><c>SCAN cursor [MATCH pattern] [COUNT n] [TYPE string]</c>.</summary>
    public async ValueTask ScanAsync(RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        // Any cursor Redis accepts is accepted; one past every key's position simply ends the scan.
        if (!args.TryCursor(1, out var cursor))
        {
            WriteError(output, RespErrors.InvalidCursor);
            return;
        }
        if (!RespScanOptions.TryParse(args, 2, RespCommandId.Scan, out var options, out var error))
        {
            WriteError(output, error);
            return;
        }
        var outcome = await commands.ScanAsync(cursor, options.Count, options.Match, options.Kind, cancellationToken);
        if (outcome is not ReadOutcome.Page page)
        {
            WriteError(output, Refusal(outcome));
            return;
        }
        WriteArrayHeader(output, 2);
        WriteBulk(output, page.Keys.Cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteBulkArray(output, page.Keys.Keys);
    }

    /// <summary><c>WAIT numreplicas timeout</c>: how many secondaries have this client's last write (timeout 0: wait for ever).</summary>
    public async ValueTask WaitAsync(RespSession session, RespArguments args, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (!args.TryInteger(1, out var wanted) || !args.TryInteger(2, out var timeoutMs))
        {
            WriteError(output, RespErrors.NotInteger);
            return;
        }
        if (timeoutMs < 0)
        {
            WriteError(output, RespErrors.TimeoutNegative);
            return;
        }
        var timeout = timeoutMs == 0 ? (TimeSpan?)null : TimeSpan.FromMilliseconds(timeoutMs);
        var acknowledged = await commands.WaitForSecondariesAsync(session.LastWriteIndex, (int)Math.Clamp(wanted, 0, int.MaxValue),
            timeout, cancellationToken);
        if (acknowledged is { } count)
            WriteInteger(output, count);
        else
            WriteError(output, RespErrors.WaitOnReplica);
    }

    private void WriteCount(IBufferWriter<byte> output, ReadOutcome outcome)
    {
        if (outcome is ReadOutcome.Count count)
            WriteInteger(output, count.Value);
        else
            WriteError(output, Refusal(outcome));
    }

    private bool TryKey(RespArguments args, int index, IBufferWriter<byte> output, out string key)
    {
        if (!args.TryKey(index, out key))
            WriteError(output, RespErrors.KeyNotUtf8);
        else if (key.Length == 0)
            WriteError(output, RespErrors.EmptyKey);
        else if (KeyValidation.Problem(key, _limits) is { } problem)
            WriteError(output, "ERR " + problem);
        else
            return true;
        return false;
    }

    private bool TryKeys(RespArguments args, int first, int step, IBufferWriter<byte> output, out List<string> keys)
    {
        keys = new List<string>((args.Count - first + step - 1) / step);
        for (var i = first; i < args.Count; i += step)
        {
            if (!TryKey(args, i, output, out var key))
                return false;
            keys.Add(key);
        }
        return true;
    }

    /// <summary>The reader bounds bulk strings only by the query buffer: values are held to their own, smaller limit here.</summary>
    private bool TryValue(RespArguments args, int index, IBufferWriter<byte> output, out byte[] value)
    {
        value = [];
        if (args[index].Length > _limits.MaxValueBytes)
        {
            WriteError(output, $"ERR the value is {args[index].Length} bytes; the limit (Limits:MaxValueBytes) is {_limits.MaxValueBytes}");
            return false;
        }
        value = args.Bytes(index);
        return true;
    }

    private string Refusal(ReadOutcome outcome) => RespRefusals.Of(outcome, directory);

    private string Refusal(WriteOutcome outcome) => RespRefusals.Of(outcome, directory);
}
