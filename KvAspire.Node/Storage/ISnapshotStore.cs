namespace KvAspire.Node.Storage;

/// <summary>Where a snapshot is and what it covers: every entry up to (Index, Term).</summary>
public sealed record SnapshotMetadata(long Index, long Term, ulong Digest, long Bytes, string Path);

/// <summary>
/// Durable snapshots of the state machine. <see cref="Save"/> and <see cref="ReceiveAsync"/> may run on
/// any thread, each one at a time; a snapshot becomes <see cref="Latest"/> only once it is completely on
/// disk, and only if it is newer than the current one.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The newest complete snapshot, or null.</summary>
    SnapshotMetadata? Latest { get; }

    /// <summary>Writes a snapshot (temp file, fsync, rename) and removes older ones.</summary>
    SnapshotMetadata Save(long index, long term, ulong digest, Action<Stream> writeBody);

    /// <summary>The newest snapshot's file as stored (header, body and checksum), for shipping to a
    /// secondary, or null when there is none.</summary>
    (SnapshotMetadata Snapshot, Stream File)? OpenLatest();

    /// <summary>Stores a snapshot file streamed from the primary, fsynced and checksum verified, without
    /// making it <see cref="Latest"/>: that waits for <see cref="Install"/>. Throws
    /// <see cref="CorruptSnapshotException"/> if what arrived is not a whole, intact snapshot.</summary>
    Task<SnapshotMetadata> ReceiveAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> file, CancellationToken cancellationToken);

    /// <summary>Deletes a received snapshot the host will not install.</summary>
    void Discard(SnapshotMetadata received);

    /// <summary>Makes the received snapshot <paramref name="received"/> the newest one, durably.</summary>
    SnapshotMetadata Install(SnapshotMetadata received);

    /// <summary>
    /// Reads the body of <paramref name="snapshot"/> (<see cref="SnapshotMetadata.Bytes"/> bytes) with
    /// <paramref name="read"/> while checking its length and checksum, in one pass over the file; returns
    /// what <paramref name="read"/> made only once the whole body checked out, and throws
    /// <see cref="CorruptSnapshotException"/> otherwise.
    /// </summary>
    T ReadBody<T>(SnapshotMetadata snapshot, Func<Stream, T> read);
}
