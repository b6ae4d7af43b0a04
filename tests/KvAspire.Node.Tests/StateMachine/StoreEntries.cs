using System.Text;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.StateMachine;

/// <summary>Builds entries for a store, numbered from 1, each stamped with a time the test chooses.</summary>
internal sealed class StoreEntries(KvStore store)
{
    private long _index = store.AppliedIndex;

    public KvStore Store => store;

    public CommandReply? Apply(KvCommand command) => Apply(command.Encode());

    public CommandReply? Apply(byte[] payload) => store.Apply(new Entry(++_index, 1, payload)).Reply;

    public static KvCommand Op(CommandOp op, string key, long nowMs, params object[] args) =>
        KvCommand.Of(op, key, nowMs, [.. args.Select(Arg)]);

    public static ReadOnlyMemory<byte> Arg(object arg) => arg switch
    {
        long l => CommandArgs.Long(l),
        int i => CommandArgs.Int(i),
        byte b => CommandArgs.Byte(b),
        string s => Encoding.UTF8.GetBytes(s),
        byte[] bytes => bytes,
        _ => throw new ArgumentException($"no encoding for {arg}"),
    };

    public static string Text(CommandReply? reply) => reply switch
    {
        CommandReply.Bulk b => Encoding.UTF8.GetString(b.Value.Span),
        CommandReply.Integer i => i.Value.ToString(),
        CommandReply.Status s => "+" + s.Text,
        CommandReply.Error e => "-" + e.Message,
        CommandReply.NullBulk => "(nil)",
        CommandReply.NullMultiBulk => "(nil array)",
        CommandReply.Array a => "[" + string.Join(",", a.Items.Select(Text)) + "]",
        _ => "(none)",
    };
}
