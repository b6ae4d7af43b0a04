namespace KvAspire.Node.Storage;

/// <summary>
/// Tells a record a crash cut short from one damaged later, at the end of the last segment. Records are
/// only ever appended, and an append not yet forced to disk when the machine stops comes back as some of
/// what was written with holes: the file may end inside a record, and whole disk sectors that were never
/// written read back as zeros — from the old end of the file or a sector boundary to the next boundary or
/// the end. Such a write was never acknowledged, so it may be truncated. Anything else is damage to data
/// that was on disk, and must stop the node.
/// </summary>
internal static class TornWrite
{
    private const int Sector = 512;

    /// <summary>
    /// Whether the unreadable record at <paramref name="offset"/> of <paramref name="segment"/> (what
    /// <see cref="EntryCodec.TryRead"/> found there: <paramref name="result"/>, <paramref name="recordBytes"/>)
    /// is a torn write: it runs past the end of the file, or it has a hole and no sound record follows it.
    /// </summary>
    /// <remarks>
    /// A sound record after the damaged one means the damaged one is not where writing stopped. A record whose
    /// own data has 512 zero bytes on a sector boundary and is damaged elsewhere, with nothing after it, is
    /// taken for torn: the one case of damage this cannot tell apart, and it can only lose the last record.
    /// </remarks>
    public static bool Explains(ReadOnlyMemory<byte> segment, int offset, EntryCodec.ReadResult result, int recordBytes)
    {
        if (result == EntryCodec.ReadResult.Incomplete)
            return true;
        var end = result == EntryCodec.ReadResult.BadPayload ? offset + recordBytes : Math.Min(segment.Length, offset + EntryCodec.HeaderBytes);
        return HasHole(segment.Span, offset, end) && !SoundRecordAfter(segment, offset + 1);
    }

    /// <summary>A run of zeros from <paramref name="start"/> or a sector boundary before <paramref name="end"/> to the next boundary (or the end of the file).</summary>
    private static bool HasHole(ReadOnlySpan<byte> segment, int start, int end)
    {
        for (var from = start; from < end; from = (from / Sector + 1) * Sector)
        {
            var to = Math.Min(segment.Length, (from / Sector + 1) * Sector);
            if (segment[from..to].IndexOfAnyExcept((byte)0) < 0)
                return true;
        }
        return false;
    }

    private static bool SoundRecordAfter(ReadOnlyMemory<byte> bytes, int from)
    {
        for (var offset = from; offset <= bytes.Length - EntryCodec.HeaderBytes - EntryCodec.PayloadFixedBytes; offset++)
        {
            if (EntryCodec.TryRead(bytes[offset..], out _, out _) == EntryCodec.ReadResult.Ok)
                return true;
        }
        return false;
    }
}
