using System.Text;
using static KvAspire.Node.StateMachine.StoreSnapshot;

namespace KvAspire.Node.StateMachine;

/// <summary>
/// A <see cref="CommandReply"/> in a snapshot body, as an idempotency record keeps it: a tag byte (0 for no reply),
/// then a status or error's text block, an integer's 8 bytes, a bulk's block, or an array's <c>[items:4]</c> and its items.
/// </summary>
internal static class CommandReplyCodec
{
    // Replies of HTTP writes nest one array deep (a transaction's); a deeper body is damaged, and is refused before it can recurse far.
    private const int MaxDepth = 8;

    private enum Tag : byte { None, Status, Integer, Bulk, NullBulk, NullMultiBulk, Array, Error }

    public static void Write(BinaryWriter writer, CommandReply? reply)
    {
        switch (reply)
        {
            case null:
                writer.Write((byte)Tag.None);
                break;
            case CommandReply.Status status:
                writer.Write((byte)Tag.Status);
                WriteBlock(writer, Encoding.UTF8.GetBytes(status.Text));
                break;
            case CommandReply.Integer integer:
                writer.Write((byte)Tag.Integer);
                writer.Write(integer.Value);
                break;
            case CommandReply.Bulk bulk:
                writer.Write((byte)Tag.Bulk);
                WriteBlock(writer, bulk.Value.Span);
                break;
            case CommandReply.NullBulk:
                writer.Write((byte)Tag.NullBulk);
                break;
            case CommandReply.NullMultiBulk:
                writer.Write((byte)Tag.NullMultiBulk);
                break;
            case CommandReply.Array array:
                writer.Write((byte)Tag.Array);
                writer.Write(array.Items.Count);
                foreach (var item in array.Items)
                    Write(writer, item);
                break;
            case CommandReply.Error error:
                writer.Write((byte)Tag.Error);
                WriteBlock(writer, Encoding.UTF8.GetBytes(error.Message));
                break;
            default:
                throw new InvalidOperationException($"No snapshot encoding for {reply.GetType().Name}.");
        }
    }

    public static CommandReply? Read(BodyReader reader, int depth = 0)
    {
        if (depth > MaxDepth)
            throw new InvalidDataException($"snapshot has a reply nested more than {MaxDepth} deep");
        return (Tag)reader.ReadByte() switch
        {
            Tag.None => null,
            Tag.Status => new CommandReply.Status(reader.ReadRequiredText()),
            Tag.Integer => new CommandReply.Integer(reader.ReadInt64()),
            Tag.Bulk => new CommandReply.Bulk(reader.ReadRequiredBlock()),
            Tag.NullBulk => CommandReply.Null,
            Tag.NullMultiBulk => CommandReply.NullArray,
            Tag.Array => ReadArray(reader, depth),
            Tag.Error => new CommandReply.Error(reader.ReadRequiredText()),
            var other => throw new InvalidDataException($"snapshot has a reply of unknown kind {(byte)other}"),
        };
    }

    private static CommandReply.Array ReadArray(BodyReader reader, int depth)
    {
        var items = new CommandReply[reader.ReadCount()];
        for (var i = 0; i < items.Length; i++)
            items[i] = Read(reader, depth + 1) ?? throw new InvalidDataException("snapshot has an array reply with a missing item");
        return new CommandReply.Array(items);
    }
}
