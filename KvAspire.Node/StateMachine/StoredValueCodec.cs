using System.Collections.Immutable;
using System.Text;
using static KvAspire.Node.StateMachine.StoreSnapshot;

namespace KvAspire.Node.StateMachine;

/// <summary>A value's contents in a snapshot body, after its kind, revision and deadline (see <see cref="StoreSnapshot"/>).</summary>
internal static class StoredValueCodec
{
    public static void Write(BinaryWriter writer, StoredValue value)
    {
        switch (value)
        {
            case StringValue s:
                if (s.ContentType is null)
                    writer.Write(-1);
                else
                    WriteBlock(writer, Encoding.UTF8.GetBytes(s.ContentType));
                WriteBlock(writer, s.Value.Span);
                break;
            case HashValue h:
                writer.Write(h.Fields.Count);
                foreach (var (field, fieldValue) in h.Fields)
                {
                    WriteBlock(writer, Encoding.UTF8.GetBytes(field));
                    WriteBlock(writer, fieldValue);
                }
                break;
            case ListValue l:
                writer.Write(l.Items.Count);
                foreach (var item in l.Items)
                    WriteBlock(writer, item);
                break;
            case SetValue set:
                writer.Write(set.Members.Count);
                foreach (var member in set.Members)
                    WriteBlock(writer, Encoding.UTF8.GetBytes(member));
                break;
            case SortedSetValue sortedSet:
                writer.Write(sortedSet.Count);
                foreach (var (score, member) in sortedSet.Order)
                {
                    WriteBlock(writer, Encoding.UTF8.GetBytes(member!));
                    writer.Write(score);
                }
                break;
            default:
                throw new InvalidOperationException($"No snapshot encoding for {value.GetType().Name}.");
        }
    }

    public static StoredValue Read(BodyReader reader)
    {
        var kind = (ValueKind)reader.ReadByte();
        var revision = reader.ReadInt64();
        var deadline = reader.ReadInt64();
        switch (kind)
        {
            case ValueKind.String:
                return ReadString(reader, deadline, revision);
            case ValueKind.Hash:
                var fields = HashValue.Empty.ToBuilder();
                for (var n = reader.ReadCount(); n > 0; n--)
                    fields[reader.ReadRequiredText()] = reader.ReadRequiredBlock();
                return new HashValue(fields.ToImmutable(), deadline, revision);
            case ValueKind.List:
                var items = ImmutableList.CreateBuilder<byte[]>();
                for (var n = reader.ReadCount(); n > 0; n--)
                    items.Add(reader.ReadRequiredBlock());
                return new ListValue(items.ToImmutable(), deadline, revision);
            case ValueKind.Set:
                var members = SetValue.Empty.ToBuilder();
                for (var n = reader.ReadCount(); n > 0; n--)
                    members.Add(reader.ReadRequiredText());
                return new SetValue(members.ToImmutable(), deadline, revision);
            case ValueKind.ZSet:
                return ReadSortedSet(reader, deadline, revision);
            default:
                throw new InvalidDataException($"snapshot has a value of unknown kind {(byte)kind}");
        }
    }

    private static SortedSetValue ReadSortedSet(BodyReader reader, long deadline, long revision)
    {
        var scores = SortedSetValue.NoScores.ToBuilder();
        var order = SortedSetValue.NoOrder.ToBuilder();
        for (var n = reader.ReadCount(); n > 0; n--)
        {
            var member = reader.ReadRequiredText();
            var score = BitConverter.Int64BitsToDouble(reader.ReadInt64());
            if (double.IsNaN(score) || !scores.TryAdd(member, score))
                throw new InvalidDataException($"snapshot has a sorted set with a NaN score or a repeated member ({member})");
            order.Add(new ScoredMember(score, member));
        }
        return new SortedSetValue(scores.ToImmutable(), order.ToImmutable(), deadline, revision);
    }

    public static StringValue ReadString(BodyReader reader, long deadline, long revision)
    {
        var type = reader.ReadText();
        return StringValue.Create(reader.ReadRequiredBlock(), type, deadline, revision);
    }
}
