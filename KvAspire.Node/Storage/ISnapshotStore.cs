namespace KvAspire.Node.Storage;

/// <summary>Where a snapshot is and what it covers: every entry up to (Index, Term).</summary>
public sealed record SnapshotMetadata(long Index, long Term, ulong Digest, long Bytes, string Path);

/// <summary>
/// Durable snapshots of the state machine. <see cref="Save"/> may run on any thread, one at a time;
/// a snapshot becomes visible only once it is completely on disk.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The newest complete snapshot, or null.</summary>
    SnapshotMetadata? Latest { get; }

    /// <summary>Writes a snapshot (temp file, fsync, rename) and removes older ones.</summary>
    SnapshotMetadata Save(long index, long term, ulong digest, Action<Stream> writeBody);

    /// <summary>The body of <paramref name="snapshot"/>, checksum verified; throws <see cref="CorruptSnapshotException"/>.</summary>
    ReadOnlyMemory<byte> ReadBody(SnapshotMetadata snapshot);
}
