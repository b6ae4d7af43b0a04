using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Storage;

public static class SnapshotReading
{
    /// <summary>The store <paramref name="snapshot"/> holds, decoded while its body is verified; throws <see cref="CorruptSnapshotException"/>.</summary>
    public static StoreSnapshot ReadStore(this ISnapshotStore snapshots, SnapshotMetadata snapshot)
    {
        try
        {
            return snapshots.ReadBody(snapshot, body => StoreSnapshot.ReadFrom(body, snapshot.Bytes, snapshot.Index, snapshot.Digest));
        }
        catch (InvalidDataException e)
        {
            // Damaged, or (when its checksum would match) written wrongly or in another format.
            throw new CorruptSnapshotException(snapshot.Path, e.Message);
        }
    }
}
