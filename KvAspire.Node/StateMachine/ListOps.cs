using System.Collections.Immutable;

namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on lists. A list left empty is deleted, as in Redis.</summary>
internal static class ListOps
{
    public const byte Head = 0, Tail = 1;

    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.ListPush => Push(c.Key, CommandArgs.ReadInt(c.Args[0]), CommandArgs.ReadByte(c.Args[1]), c.Args.Skip(2), context),
        CommandOp.ListPop => Pop(c.Key, CommandArgs.ReadByte(c.Args[0]), CommandArgs.ReadLong(c.Args[1]), context),
        CommandOp.ListRemove => Remove(c.Key, CommandArgs.ReadLong(c.Args[0]), c.Args[1], context),
        CommandOp.ListSet => SetAt(c.Key, CommandArgs.ReadLong(c.Args[0]), c.Args[1], context),
        CommandOp.ListTrim => Trim(c.Key, CommandArgs.ReadLong(c.Args[0]), CommandArgs.ReadLong(c.Args[1]), context),
        _ => throw new InvalidDataException($"{c.Op} is not a list op"),
    };

    private static ApplyResult Push(string key, int max, byte end, IEnumerable<ReadOnlyMemory<byte>> elements, ApplyContext context)
    {
        if (!context.TryLive<ListValue>(key, out var old, out var wrongType))
            return wrongType;
        var items = old?.Items ?? [];
        var added = elements.Select(e => e.ToArray()).ToList();
        if ((long)items.Count + added.Count > max)
            return new ApplyResult(old is not null, ReplyErrors.TooManyElements(max));
        // LPUSH a b c leaves c first: each element goes to the head in turn.
        if (end == Head)
            added.Reverse();
        items = end == Head ? items.InsertRange(0, added) : items.AddRange(added);
        context.Put(key, new ListValue(items, old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, CommandReply.Of(items.Count));
    }

    /// <param name="count">-1 when the client gave none: the reply is one element, not an array.</param>
    private static ApplyResult Pop(string key, byte end, long count, ApplyContext context)
    {
        if (!context.TryLive<ListValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, count < 0 ? CommandReply.Null : CommandReply.NullArray);
        var n = (int)Math.Min(count < 0 ? 1 : count, old.Items.Count);
        var popped = end == Head ? old.Items.GetRange(0, n) : old.Items.GetRange(old.Items.Count - n, n).Reverse();
        var rest = end == Head ? old.Items.RemoveRange(0, n) : old.Items.RemoveRange(old.Items.Count - n, n);
        Store(key, old, rest, context);
        return new ApplyResult(true, count < 0 ? CommandReply.Of(popped[0]) : CommandReply.Of(popped));
    }

    /// <summary>LREM: count &gt; 0 removes that many from the head, &lt; 0 from the tail, 0 all.</summary>
    private static ApplyResult Remove(string key, long count, ReadOnlyMemory<byte> element, ApplyContext context)
    {
        if (!context.TryLive<ListValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Zero);
        var limit = count == 0 ? long.MaxValue : Math.Abs(count);
        var items = old.Items.ToBuilder();
        var removed = 0;
        for (var i = count < 0 ? items.Count - 1 : 0; i >= 0 && i < items.Count && removed < limit;)
        {
            var match = items[i].AsSpan().SequenceEqual(element.Span);
            if (match)
            {
                items.RemoveAt(i);
                removed++;
            }
            // From the head the next element slides into i; from the tail it is at i - 1 either way.
            if (count < 0)
                i--;
            else if (!match)
                i++;
        }
        if (removed > 0)
            Store(key, old, items.ToImmutable(), context);
        return new ApplyResult(true, CommandReply.Of(removed));
    }

    private static ApplyResult SetAt(string key, long index, ReadOnlyMemory<byte> element, ApplyContext context)
    {
        if (!context.TryLive<ListValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, ReplyErrors.NoSuchKey);
        var i = index < 0 ? index + old.Items.Count : index;
        if (i < 0 || i >= old.Items.Count)
            return new ApplyResult(true, ReplyErrors.IndexOutOfRange);
        Store(key, old, old.Items.SetItem((int)i, element.ToArray()), context);
        return new ApplyResult(true, CommandReply.Ok);
    }

    private static ApplyResult Trim(string key, long start, long stop, ApplyContext context)
    {
        if (!context.TryLive<ListValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Ok);
        var (from, count) = Range(start, stop, old.Items.Count);
        if (count != old.Items.Count)
            Store(key, old, old.Items.GetRange(from, count), context);
        return new ApplyResult(true, CommandReply.Ok);
    }

    /// <summary>Redis' reading of a start..stop range (both inclusive, negative from the end) over <paramref name="length"/> items.</summary>
    public static (int From, int Count) Range(long start, long stop, int length)
    {
        if (start < 0)
            start = Math.Max(0, start + length);
        if (stop < 0)
            stop += length;
        if (start > stop || start >= length)
            return (0, 0);
        stop = Math.Min(stop, length - 1);
        return ((int)start, (int)(stop - start + 1));
    }

    private static void Store(string key, ListValue old, ImmutableList<byte[]> items, ApplyContext context)
    {
        if (items.IsEmpty)
            context.Remove(key);
        else
            context.Put(key, new ListValue(items, old.DeadlineMs, context.Revision));
    }
}
