using System.Buffers;
using KvAspire.Node.StateMachine;
using static KvAspire.Node.Api.Resp.RespWriter;

namespace KvAspire.Node.Api.Resp;

/// <summary>Writes a <see cref="CommandReply"/> in RESP2.</summary>
public static class RespReplyWriter
{
    public static void Write(IBufferWriter<byte> output, CommandReply reply)
    {
        switch (reply)
        {
            case CommandReply.Status status:
                WriteSimple(output, status.Text);
                break;
            case CommandReply.Integer integer:
                WriteInteger(output, integer.Value);
                break;
            case CommandReply.Bulk bulk:
                WriteBulk(output, bulk.Value.Span);
                break;
            case CommandReply.NullBulk:
                WriteNull(output);
                break;
            case CommandReply.NullMultiBulk:
                WriteRaw(output, "*-1\r\n"u8);
                break;
            case CommandReply.Array array:
                WriteArrayHeader(output, array.Items.Count);
                foreach (var item in array.Items)
                    Write(output, item);
                break;
            case CommandReply.Error error:
                WriteError(output, error.Message);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(reply), reply, "not a reply");
        }
    }
}
