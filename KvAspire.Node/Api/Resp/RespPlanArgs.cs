using System.Text;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// A command's arguments as the planners read them: each accessor checks its item and throws
/// <see cref="RespRefusal"/> with Redis' text (or KvAspire's limit) when it does not fit.
/// </summary>
public sealed class RespPlanArgs(RespArguments args, LimitsOptions limits, long nowMs)
{
    public int Count => args.Count;
    public long NowMs { get; } = nowMs;
    public LimitsOptions Limits { get; } = limits;

    /// <summary>The carried bound on elements per key (see <see cref="CommandOp"/>).</summary>
    public byte[] MaxElements => CommandArgs.Int(Limits.MaxElementsPerKey);

    public bool Is(int index, ReadOnlySpan<byte> keyword) => args.Is(index, keyword);

    public string Text(int index) => args.Text(index);

    public string Key(int index)
    {
        if (!args.TryKey(index, out var key))
            throw new RespRefusal(RespErrors.KeyNotUtf8);
        if (key.Length == 0)
            throw new RespRefusal(RespErrors.EmptyKey);
        if (KeyValidation.Problem(key, Limits) is { } problem)
            throw new RespRefusal("ERR " + problem);
        return key;
    }

    public IEnumerable<string> Keys(int first, int step = 1)
    {
        for (var i = first; i < Count; i += step)
            yield return Key(i);
    }

    /// <summary>A string value, held to <c>Limits:MaxValueBytes</c>.</summary>
    public byte[] Value(int index)
    {
        if (args[index].Length > Limits.MaxValueBytes)
            throw new RespRefusal($"ERR the value is {args[index].Length} bytes; the limit (Limits:MaxValueBytes) is {Limits.MaxValueBytes}");
        return args.Bytes(index);
    }

    /// <summary>A hash value or list element, held to <c>Limits:MaxElementBytes</c>.</summary>
    public byte[] Element(int index)
    {
        if (args[index].Length > Limits.MaxElementBytes)
            throw new RespRefusal($"ERR the element is {args[index].Length} bytes; the limit (Limits:MaxElementBytes) is {Limits.MaxElementBytes}");
        return args.Bytes(index);
    }

    /// <summary>A hash field or set member: stored as text, so valid UTF-8 as keys are.</summary>
    public byte[] Member(int index)
    {
        var bytes = Element(index);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new RespRefusal("ERR KvAspire hash fields and set members must be valid UTF-8");
        return bytes;
    }

    public IEnumerable<ReadOnlyMemory<byte>> Members(int first)
    {
        for (var i = first; i < Count; i++)
            yield return Member(i);
    }

    public long Long(int index) =>
        args.TryInteger(index, out var value) ? value : throw new RespRefusal(RespErrors.NotInteger);

    public byte[] LongArg(int index) => CommandArgs.Long(Long(index));

    /// <summary>The optional count of LPOP, RPOP, SPOP, ZPOPMIN and ZPOPMAX at <paramref name="index"/>, which Redis wants positive.</summary>
    public long? OptionalCount(int index)
    {
        if (Count <= index)
            return null;
        // Redis' getPositiveLongFromObjectOrReply answers the same for a count that is not a number.
        return args.TryInteger(index, out var count) && count >= 0 ? count : throw new RespRefusal("ERR value is out of range, must be positive");
    }

    /// <summary>The count of <c>LPOP key [count]</c> and its relatives (-1: none given); anything after it is a syntax error.</summary>
    public long PopCount() => Count > 3 ? throw new RespRefusal(RespErrors.Syntax) : OptionalCount(2) ?? -1;

    /// <summary>A score as ZADD reads it (<see cref="ScoreText.TryParse"/>).</summary>
    public byte[] Score(int index) =>
        ScoreText.TryParse(args.Bytes(index), out var score) ? CommandArgs.Double(score) : throw new RespRefusal(ReplyErrors.NotFloat.Message);

    /// <summary>The minimum and maximum of a score range, as ZCOUNT and ZRANGEBYSCORE read them.</summary>
    public (byte[] Min, byte[] Max) ScoreRange(int min, int max) =>
        ScoreText.TryParseBound(args.Bytes(min), out var low) && ScoreText.TryParseBound(args.Bytes(max), out var high)
            ? (low.Encode(), high.Encode())
            : throw new RespRefusal("ERR min or max is not a float");

    /// <summary>The minimum and maximum of a member range, as ZLEXCOUNT and ZRANGEBYLEX read them.</summary>
    public (byte[] Min, byte[] Max) LexRange(int min, int max) =>
        args.Bytes(min) is var low && args.Bytes(max) is var high && LexBound.TryParse(low, out _) && LexBound.TryParse(high, out _)
            ? (low, high)
            : throw new RespRefusal("ERR min or max not valid string range item");

    /// <summary>Throws Redis' wrong-arity error unless the arguments after the name come in groups of <paramref name="group"/>.</summary>
    public void RequireGroupsOf(int group, int first, string command)
    {
        if ((Count - first) % group != 0)
            throw new RespRefusal(RespErrors.WrongArity(command));
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
