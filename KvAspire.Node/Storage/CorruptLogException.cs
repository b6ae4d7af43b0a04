namespace KvAspire.Node.Storage;

/// <summary>
/// The log on disk is damaged somewhere other than a torn tail. The node refuses to start rather
/// than silently lose entries; the operator wipes the node's data and lets it sync from the primary.
/// </summary>
public sealed class CorruptLogException(string file, long offset, string problem)
    : Exception($"Replication log file '{file}' is corrupt at offset {offset}: {problem}. " +
        "To recover, stop this node, delete its data directory and start it again: it will sync from the primary.")
{
    public string File { get; } = file;
    public long Offset { get; } = offset;
}
