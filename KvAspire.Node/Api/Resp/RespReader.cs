using System.Buffers;

namespace KvAspire.Node.Api.Resp;

public enum RespReadStatus
{
    /// <summary>A whole command was read into the arguments.</summary>
    Command,
    /// <summary>The buffer ends inside a command: read more and try again from the same position.</summary>
    Incomplete,
    /// <summary>The stream is not RESP; Redis answers the error and closes the connection.</summary>
    ProtocolError,
}

/// <summary>
/// The size limits the reader enforces (see <see cref="RespOptions"/>). <see cref="Unauthenticated"/>
/// marks the tight limits for a client that has not authenticated yet, refused with Redis' own texts.
/// </summary>
public readonly record struct RespReadLimits(int MaxMultibulkLength, int MaxBulkBytes, int MaxInlineBytes, bool Unauthenticated = false)
{
    /// <summary>Redis' limits before AUTH: 10 arguments of at most 16 KiB, so an unknown client cannot make the server buffer much.</summary>
    public static RespReadLimits BeforeAuthentication(RespReadLimits limits) => new(
        Math.Min(limits.MaxMultibulkLength, 10), Math.Min(limits.MaxBulkBytes, 16 * 1024), Math.Min(limits.MaxInlineBytes, 16 * 1024), true);

    public string MultibulkError => Unauthenticated ? RespErrors.UnauthenticatedMultibulkLength : RespErrors.InvalidMultibulkLength;
    public string BulkError => Unauthenticated ? RespErrors.UnauthenticatedBulkLength : RespErrors.InvalidBulkLength;
}

/// <summary>
/// Parses RESP2 requests: arrays of bulk strings (<c>*2\r\n$3\r\nGET\r\n$1\r\nk\r\n</c>) and inline
/// commands (<c>GET k\r\n</c>, as typed into telnet). Try pattern: on short input it returns
/// <see cref="RespReadStatus.Incomplete"/> and leaves the reader where it was; it never throws on
/// bad input. Empty commands (<c>*0</c>, blank lines) are skipped, as Redis does.
/// </summary>
public static class RespReader
{
    public static RespReadStatus TryRead(ref SequenceReader<byte> reader, RespArguments arguments, RespReadLimits limits, out string? error)
    {
        while (true)
        {
            arguments.Clear();
            var attempt = reader;
            if (!attempt.TryPeek(out var first))
            {
                error = null;
                return RespReadStatus.Incomplete;
            }
            var status = first == (byte)'*'
                ? TryReadMultibulk(ref attempt, arguments, limits, out error)
                : TryReadInline(ref attempt, arguments, limits, out error);
            if (status != RespReadStatus.Command)
                return status;
            reader = attempt;
            if (arguments.Count > 0)
                return status;
        }
    }

    private static RespReadStatus TryReadMultibulk(ref SequenceReader<byte> reader, RespArguments arguments, RespReadLimits limits, out string? error)
    {
        reader.Advance(1);
        var header = TryReadNumber(ref reader, limits, RespErrors.TooBigMultibulkCount, out var count, out error);
        if (header != RespReadStatus.Command)
            return header;
        if (count > limits.MaxMultibulkLength)
            return Fail(limits.MultibulkError, out error);
        for (var i = 0L; i < count; i++)
        {
            if (!reader.TryRead(out var prefix))
                return RespReadStatus.Incomplete;
            if (prefix != (byte)'$')
                return Fail(RespErrors.ExpectedDollar(prefix), out error);
            var length = TryReadNumber(ref reader, limits, RespErrors.TooBigBulkCount, out var bytes, out error);
            if (length != RespReadStatus.Command)
                return length;
            if (bytes < 0)
                return Fail(RespErrors.InvalidBulkLength, out error);
            if (bytes > limits.MaxBulkBytes)
                return Fail(limits.BulkError, out error);
            // Like Redis, the two bytes after the data are taken to be CRLF without looking.
            if (reader.Remaining < bytes + 2)
                return RespReadStatus.Incomplete;
            arguments.Add(reader.Sequence.Slice(reader.Position, bytes));
            reader.Advance(bytes + 2);
        }
        return RespReadStatus.Command;
    }

    /// <summary>Reads the decimal number of a <c>*N</c> or <c>$N</c> header up to its CRLF, as strictly as Redis (no '+', no leading zeros).</summary>
    private static RespReadStatus TryReadNumber(ref SequenceReader<byte> reader, RespReadLimits limits, string tooBig,
        out long number, out string? error)
    {
        number = 0;
        error = null;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\r'))
            return reader.Remaining > limits.MaxInlineBytes ? Fail(tooBig, out error) : RespReadStatus.Incomplete;
        if (!reader.TryRead(out _))
            return RespReadStatus.Incomplete;
        if (!RespNumber.TryParseInteger(line, out number))
            return Fail(tooBig == RespErrors.TooBigBulkCount ? RespErrors.InvalidBulkLength : RespErrors.InvalidMultibulkLength, out error);
        return RespReadStatus.Command;
    }

    private static RespReadStatus TryReadInline(ref SequenceReader<byte> reader, RespArguments arguments, RespReadLimits limits, out string? error)
    {
        error = null;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            return reader.Remaining > limits.MaxInlineBytes ? Fail(RespErrors.TooBigInline, out error) : RespReadStatus.Incomplete;
        if (line.Length > limits.MaxInlineBytes)
            return Fail(RespErrors.TooBigInline, out error);
        var length = (int)line.Length;
        // The line is copied once; arguments are unescaped into the second half of the same scratch array.
        var scratch = arguments.InlineScratch(2 * length);
        line.CopyTo(scratch);
        if (!RespInlineSplitter.TrySplit(scratch, length, arguments))
            return Fail(RespErrors.UnbalancedQuotes, out error);
        return arguments.Count > limits.MaxMultibulkLength ? Fail(limits.MultibulkError, out error) : RespReadStatus.Command;
    }

    private static RespReadStatus Fail(string message, out string? error)
    {
        error = message;
        return RespReadStatus.ProtocolError;
    }
}
