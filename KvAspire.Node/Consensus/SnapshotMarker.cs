namespace KvAspire.Node.Consensus;

/// <summary>
/// What a snapshot of the state machine covers: every entry up to <see cref="Index"/>, the last of
/// which has <see cref="Term"/>. The core never sees snapshot bytes, only this marker; the host stores
/// and ships the bytes. <c>default</c> (0, 0) is "no snapshot": the empty log's prefix.
/// </summary>
public readonly record struct SnapshotMarker(long Index, long Term);
