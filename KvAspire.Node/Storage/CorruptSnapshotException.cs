namespace KvAspire.Node.Storage;

/// <summary>A snapshot file does not read back exactly; the node refuses to start rather than lose data.</summary>
public sealed class CorruptSnapshotException(string file, string problem)
    : Exception($"Snapshot file '{file}' is corrupt: {problem}. " +
        "To recover, stop this node, delete its data directory and start it again: it will sync from the primary.")
{
    public string File { get; } = file;
}
