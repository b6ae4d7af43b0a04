using System.Buffers;
using System.Text;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// HSCAN and SSCAN. A hash or set is answered in one page with cursor 0, as Redis answers small ones: any cursor
/// a client continues with is past the end. A collection is bounded by <c>Limits:MaxElementsPerKey</c>.
/// </summary>
public sealed class RespCollectionScans(KvCommands commands, RespDirectory directory)
{
    /// <summary><c>HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]</c>, <c>SSCAN key cursor [MATCH pattern] [COUNT n]</c>.</summary>
    public async ValueTask ScanAsync(RespSession session, RespCommandId id, RespArguments args, IBufferWriter<byte> output,
        CancellationToken cancellationToken)
    {
        var hash = id == RespCommandId.HScan;
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
        string? pattern = null;
        var values = hash;
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, RespLiterals.Match) && i + 1 < args.Count)
                pattern = args.Text(++i);
            else if (args.Is(i, RespLiterals.Count) && i + 1 < args.Count)
            {
                if (!args.TryInteger(++i, out var count) || count < 1)
                {
                    WriteError(output, count < 1 && args.TryInteger(i, out _) ? RespErrors.Syntax : RespErrors.NotInteger);
                    return;
                }
            }
            else if (hash && args.Is(i, RespLiterals.NoValues))
                values = false;
            else
            {
                WriteError(output, RespErrors.Syntax);
                return;
            }
        }
        var outcome = await commands.ReadAsync(hash ? "HSCAN" : "SSCAN", hash ? ReadOp.HGetAll : ReadOp.SMembers, key, [],
            cancellationToken, session.Reads);
        if (outcome is not ReadOutcome.Reply { Value: var reply })
        {
            WriteError(output, RespRefusals.Of(outcome, directory));
            return;
        }
        if (reply is not CommandReply.Array { Items: var items })
        {
            RespReplyWriter.Write(output, reply);
            return;
        }
        var step = hash ? 2 : 1;
        var page = new List<CommandReply>(items.Count);
        for (var i = 0; cursor == 0 && i < items.Count; i += step)
        {
            if (pattern is not null && !RespGlob.IsMatch(pattern, Encoding.UTF8.GetString(((CommandReply.Bulk)items[i]).Value.Span)))
                continue;
            page.Add(items[i]);
            if (values)
                page.Add(items[i + 1]);
        }
        WriteArrayHeader(output, 2);
        WriteBulk(output, "0"u8);
        RespReplyWriter.Write(output, new CommandReply.Array(page));
    }
}
