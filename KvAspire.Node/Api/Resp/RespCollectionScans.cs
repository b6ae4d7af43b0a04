using System.Buffers;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// HSCAN, SSCAN and ZSCAN, paged with a cursor as SCAN pages keys: COUNT elements a page (a hint, as in Redis: elements
/// that share the page's last position come with it), MATCH filtering each page, cursor 0 when the scan is done.
/// </summary>
public sealed class RespCollectionScans(KvCommands commands, RespDirectory directory)
{
    /// <summary><c>HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]</c>, <c>SSCAN key cursor [MATCH pattern] [COUNT n]</c>,
    /// <c>ZSCAN</c> as SSCAN.</summary>
    public async ValueTask ScanAsync(RespSession session, RespCommandId id, RespArguments args, IBufferWriter<byte> output,
        CancellationToken cancellationToken)
    {
        var hash = id == RespCommandId.HScan;
        var (name, kind) = id switch
        {
            RespCommandId.HScan => ("HSCAN", ValueKind.Hash),
            RespCommandId.SScan => ("SSCAN", ValueKind.Set),
            _ => ("ZSCAN", ValueKind.ZSet),
        };
        if (!args.TryKey(1, out var key))
        {
            WriteError(output, RespErrors.KeyNotUtf8);
            return;
        }
        if (!args.TryCursor(2, out var cursor))
        {
            WriteError(output, RespErrors.InvalidCursor);
            return;
        }
        if (!RespScanOptions.TryParse(args, 3, id, out var options, out var error))
        {
            WriteError(output, error);
            return;
        }
        var outcome = await commands.ScanCollectionAsync(name, kind, key, cursor,
            options.Count, options.Match, withValues: hash && !options.NoValues, cancellationToken, session.Reads);
        if (outcome is ReadOutcome.Reply { Value: var reply })
            RespReplyWriter.Write(output, reply);
        else
            WriteError(output, RespRefusals.Of(outcome, directory));
    }
}
