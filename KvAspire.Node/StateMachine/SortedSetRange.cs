using System.Buffers.Binary;
using System.Text;

namespace KvAspire.Node.StateMachine;

/// <summary>How a range of a sorted set is given. Persisted in entries: append-only.</summary>
public enum RangeBy : byte
{
    /// <summary>By rank, Redis' start..stop (both inclusive, negative from the end); bounds are 8-byte integers.</summary>
    Rank = 0,
    /// <summary>By score; bounds are <see cref="ScoreBound"/>s.</summary>
    Score = 1,
    /// <summary>By member, for members of one score; bounds are Redis' items (<c>[a</c>, <c>(a</c>, <c>-</c>, <c>+</c>), see <see cref="LexBound"/>.</summary>
    Lex = 2,
}

/// <summary>One end of a score range. Encoded as <c>[exclusive:1][score:8]</c>, the score's IEEE bits, so every node compares alike.</summary>
public readonly record struct ScoreBound(double Value, bool Exclusive)
{
    public byte[] Encode()
    {
        var bytes = new byte[9];
        bytes[0] = Exclusive ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(1), Value);
        return bytes;
    }

    public static ScoreBound Decode(ReadOnlyMemory<byte> arg) => arg.Length == 9 && arg.Span[0] <= 1
        ? new ScoreBound(BinaryPrimitives.ReadDoubleLittleEndian(arg.Span[1..]), arg.Span[0] == 1)
        : throw new InvalidDataException("a score bound has " + arg.Length + " bytes");
}

/// <summary>One end of a member range, as Redis' <c>zslParseLexRangeItem</c> reads it.</summary>
public readonly record struct LexBound(string Member, bool Exclusive, int Infinity)
{
    /// <summary><c>-</c> is below every member, <c>+</c> above; <c>[m</c> includes m, <c>(m</c> excludes it.</summary>
    public static bool TryParse(ReadOnlySpan<byte> item, out LexBound bound)
    {
        bound = default;
        if (item.Length == 1 && item[0] is (byte)'-' or (byte)'+')
        {
            bound = new LexBound("", false, item[0] == '-' ? -1 : 1);
            return true;
        }
        if (item.IsEmpty || item[0] is not ((byte)'[' or (byte)'(') || !System.Text.Unicode.Utf8.IsValid(item[1..]))
            return false;
        bound = new LexBound(Encoding.UTF8.GetString(item[1..]), item[0] == '(', 0);
        return true;
    }

    public static LexBound Decode(ReadOnlyMemory<byte> arg) =>
        TryParse(arg.Span, out var bound) ? bound : throw new InvalidDataException("a malformed member range item");

    /// <summary>Whether <paramref name="member"/> is at or past this bound taken as a minimum.</summary>
    public bool Reaches(string member) => Infinity != 0 ? Infinity < 0 : ScoreOrder.Members(member, Member) is var c && (Exclusive ? c > 0 : c >= 0);

    /// <summary>Whether <paramref name="member"/> is past this bound taken as a maximum.</summary>
    public bool Exceeds(string member) => Infinity != 0 ? Infinity < 0 : ScoreOrder.Members(member, Member) is var c && (Exclusive ? c >= 0 : c > 0);
}

/// <summary>
/// A range of a sorted set as ZRANGE and its relatives, ZCOUNT, ZLEXCOUNT and the ZREMRANGEBY commands give it, with Redis'
/// semantics: a rank range is read as LRANGE's; <paramref name="Start"/> and <paramref name="Stop"/> of a score or member
/// range are its minimum and maximum (REV forms swap them before); <paramref name="Offset"/> and <paramref name="Limit"/>
/// are LIMIT's (a negative offset answers nothing, a negative limit everything). Carried in entries as
/// <c>[by:1][start][stop][reverse:1][offset:8][limit:8][withScores:1]</c>.
/// </summary>
public sealed record SortedSetRange(RangeBy By, ReadOnlyMemory<byte> Start, ReadOnlyMemory<byte> Stop, bool Reverse = false,
    long Offset = 0, long Limit = -1, bool WithScores = false)
{
    public ReadOnlyMemory<byte>[] ToArgs() =>
    [
        CommandArgs.Byte((byte)By), Start, Stop, CommandArgs.Byte(Reverse ? (byte)1 : (byte)0), CommandArgs.Long(Offset),
        CommandArgs.Long(Limit), CommandArgs.Byte(WithScores ? (byte)1 : (byte)0),
    ];

    public static SortedSetRange FromArgs(IReadOnlyList<ReadOnlyMemory<byte>> args, int first) => new(
        (RangeBy)CommandArgs.ReadByte(args[first]), args[first + 1], args[first + 2], CommandArgs.ReadByte(args[first + 3]) == 1,
        CommandArgs.ReadLong(args[first + 4]), CommandArgs.ReadLong(args[first + 5]), CommandArgs.ReadByte(args[first + 6]) == 1);

    /// <summary>The members in range, in the order of the set: <c>(From, Count)</c> of its indexes.</summary>
    public (int From, int Count) Span(SortedSetValue set)
    {
        int from, to;
        switch (By)
        {
            case RangeBy.Rank:
                var (first, count) = ListOps.Range(CommandArgs.ReadLong(Start), CommandArgs.ReadLong(Stop), set.Count);
                // Reversed ranks count from the highest score.
                return Reverse && count > 0 ? (set.Count - first - count, count) : (first, count);
            case RangeBy.Score:
                var (min, max) = (ScoreBound.Decode(Start), ScoreBound.Decode(Stop));
                from = set.IndexOf(min.Exclusive ? ScoredMember.After(min.Value) : ScoredMember.Before(min.Value));
                to = set.IndexOf(max.Exclusive ? ScoredMember.Before(max.Value) : ScoredMember.After(max.Value));
                break;
            case RangeBy.Lex:
                var (low, high) = (LexBound.Decode(Start), LexBound.Decode(Stop));
                from = set.FirstWhere(low.Reaches);
                to = set.FirstWhere(high.Exceeds);
                break;
            default:
                throw new InvalidDataException($"unknown range kind {By}");
        }
        return (from, Math.Max(0, to - from));
    }

    /// <summary>The members the range answers, in the order it answers them, after LIMIT (which skips from the end walked from).</summary>
    public IEnumerable<ScoredMember> Select(SortedSetValue set)
    {
        var (from, count) = Span(set);
        var (skip, take) = (0, count);
        if (By != RangeBy.Rank)
        {
            if (Offset < 0)
                yield break;
            skip = (int)Math.Min(Offset, count);
            take = (int)Math.Min(count - skip, Limit < 0 ? long.MaxValue : Limit);
        }
        for (var i = skip; i < skip + take; i++)
            yield return set.Order[Reverse ? from + count - 1 - i : from + i];
    }
}
