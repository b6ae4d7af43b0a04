using System.Globalization;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>Applies the ops on string values: SET and its variants, counters, APPEND, GETDEL, MSETNX, GETEX.</summary>
internal static class StringOps
{
    public static ApplyResult Apply(KvCommand c, ApplyContext context) => c.Op switch
    {
        CommandOp.Set => SetWithOptions(c, 0, SetFlags.None, context),
        CommandOp.SetIfAbsent => SetWithOptions(c, 0, SetFlags.IfAbsent, context),
        CommandOp.SetIfPresent => SetWithOptions(c, 0, SetFlags.IfPresent, context),
        CommandOp.SetWithOptions => SetWithOptions(c, CommandArgs.ReadLong(c.Args[0]), (SetFlags)CommandArgs.ReadByte(c.Args[1]), context),
        CommandOp.IncrementBy => IncrementBy(c.Key, CommandArgs.ReadLong(c.Args[0]), context),
        CommandOp.IncrementByFloat => IncrementByFloat(c.Key, CommandArgs.ReadText(c.Args[0]), context),
        CommandOp.Append => Append(c.Key, c.Value, CommandArgs.ReadInt(c.Args[0]), context),
        CommandOp.GetDelete => GetDelete(c.Key, context),
        CommandOp.SetManyIfNoneExist => SetManyIfNoneExist(c.Args, context),
        CommandOp.SetMany => SetMany(c.Args, context),
        CommandOp.GetExpire => GetExpire(c.Key, CommandArgs.ReadLong(c.Args[0]), context),
        _ => throw new InvalidDataException($"{c.Op} is not a string op"),
    };

    // Flags are tested bitwise, not with Enum.HasFlag, which boxes until the JIT has optimised its caller: an allocation
    // profile found a boxed SetFlags for every SET a secondary applied (bench/RESULTS.md).
    private static ApplyResult SetWithOptions(KvCommand c, long deadlineMs, SetFlags flags, ApplyContext context)
    {
        var old = context.Live(c.Key);
        var existed = old is not null;
        if ((flags & SetFlags.Get) != 0 && old is not (null or StringValue))
            return new ApplyResult(existed, ReplyErrors.WrongType);
        var condition = (flags & SetFlags.IfAbsent) != 0 ? !existed : (flags & SetFlags.IfPresent) == 0 || existed;
        if (condition)
        {
            var deadline = (flags & SetFlags.KeepTtl) != 0 ? old?.DeadlineMs ?? 0 : deadlineMs;
            context.Put(c.Key, StringValue.Create(c.Value, c.ContentType, deadline, context.Revision));
        }
        var reply = (flags & SetFlags.Get) != 0 ? old is StringValue s ? new CommandReply.Bulk(s.Value) : CommandReply.Null
            : condition ? CommandReply.Ok : CommandReply.Null;
        return new ApplyResult(existed, reply);
    }

    private static ApplyResult IncrementBy(string key, long increment, ApplyContext context)
    {
        if (!context.TryLive<StringValue>(key, out var old, out var wrongType))
            return wrongType;
        var current = 0L;
        if (old is not null && !IntegerText.TryParse(old.Value.Span, out current))
            return new ApplyResult(true, ReplyErrors.NotInteger);
        // Redis checks before adding, so the message names the overflow rather than a wrapped result.
        if (increment > 0 ? current > long.MaxValue - increment : current < long.MinValue - increment)
            return new ApplyResult(old is not null, ReplyErrors.Overflow);
        var result = current + increment;
        context.Put(key, StringValue.Create(IntegerText.Format(result), null, old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, CommandReply.Of(result));
    }

    private static ApplyResult IncrementByFloat(string key, string incrementText, ApplyContext context)
    {
        if (!context.TryLive<StringValue>(key, out var old, out var wrongType))
            return wrongType;
        var current = 0.0;
        if (!TryParseFloat(incrementText, out var increment)
            || old is not null && !TryParseFloat(Encoding.UTF8.GetString(old.Value.Span), out current))
            return new ApplyResult(old is not null, ReplyErrors.NotFloat);
        var result = current + increment;
        if (!double.IsFinite(result))
            return new ApplyResult(old is not null, ReplyErrors.NaNOrInfinity);
        var text = Encoding.ASCII.GetBytes(FormatFloat(result));
        context.Put(key, StringValue.Create(text, null, old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, new CommandReply.Bulk(text));
    }

    /// <summary>Redis reads a float with strtold: no spaces, nothing after the number, no NaN or infinity.</summary>
    public static bool TryParseFloat(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Redis prints the result in plain decimal notation without trailing zeros (never as 1E+20).</summary>
    public static string FormatFloat(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        return shortest.Contains('E') ? value.ToString("F17", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.') : shortest;
    }

    private static ApplyResult Append(string key, ReadOnlyMemory<byte> suffix, int maxBytes, ApplyContext context)
    {
        if (!context.TryLive<StringValue>(key, out var old, out var wrongType))
            return wrongType;
        var prefix = old?.Value ?? ReadOnlyMemory<byte>.Empty;
        if ((long)prefix.Length + suffix.Length > maxBytes)
            return new ApplyResult(old is not null, ReplyErrors.StringTooLong);
        var joined = new byte[prefix.Length + suffix.Length];
        prefix.CopyTo(joined);
        suffix.CopyTo(joined.AsMemory(prefix.Length));
        context.Put(key, StringValue.Create(joined, old?.ContentType, old?.DeadlineMs ?? 0, context.Revision));
        return new ApplyResult(old is not null, CommandReply.Of(joined.Length));
    }

    private static ApplyResult GetDelete(string key, ApplyContext context)
    {
        if (!context.TryLive<StringValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Null);
        context.Remove(key);
        return new ApplyResult(true, new CommandReply.Bulk(old.Value));
    }

    /// <summary>MSETNX: all keys are set, or none if any exists.</summary>
    private static ApplyResult SetManyIfNoneExist(IReadOnlyList<ReadOnlyMemory<byte>> pairs, ApplyContext context)
    {
        for (var i = 0; i < pairs.Count; i += 2)
        {
            if (context.Live(CommandArgs.ReadText(pairs[i])) is not null)
                return new ApplyResult(true, CommandReply.Zero);
        }
        SetMany(pairs, context);
        return new ApplyResult(false, CommandReply.One);
    }

    private static ApplyResult SetMany(IReadOnlyList<ReadOnlyMemory<byte>> pairs, ApplyContext context)
    {
        for (var i = 0; i < pairs.Count; i += 2)
            context.Put(CommandArgs.ReadText(pairs[i]), StringValue.Create(pairs[i + 1], null, 0, context.Revision));
        return new ApplyResult(true, CommandReply.Ok);
    }

    private static ApplyResult GetExpire(string key, long deadlineMs, ApplyContext context)
    {
        if (!context.TryLive<StringValue>(key, out var old, out var wrongType))
            return wrongType;
        if (old is null)
            return new ApplyResult(false, CommandReply.Null);
        if (deadlineMs != 0 && deadlineMs <= context.NowMs)
            context.Remove(key);
        else if (deadlineMs != old.DeadlineMs)
            context.Put(key, old.With(deadlineMs, context.Revision));
        return new ApplyResult(true, new CommandReply.Bulk(old.Value));
    }
}
