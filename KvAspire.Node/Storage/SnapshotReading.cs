using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Storage;

public static class SnapshotReading
{
    /// <summary>The store <paramref name="snapshot"/> holds, read from its verified body; throws <see cref="CorruptSnapshotException"/>.</summary>
    public static StoreSnapshot ReadStore(this ISnapshotStore snapshots, SnapshotMetadata snapshot)
    {
        using var body = snapshots.OpenBody(snapshot);
        try
        {
            return StoreSnapshot.ReadFrom(body, snapshot.Bytes, snapshot.Index, snapshot.Digest);
        }
        catch (InvalidDataException e)
        {
            // Its checksum matched, so the file is what was written: the writer was wrong, or the format changed.
            throw new CorruptSnapshotException(snapshot.Path, e.Message);
        }
    }
}
