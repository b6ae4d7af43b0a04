namespace KvAspire.Node.Storage;

/// <summary>
/// What the node keeps on disk does not read back exactly. The node refuses to start rather than lose
/// data silently; the operator wipes the node's data and lets it sync from the primary.
/// </summary>
public abstract class DamagedDataException(string file, string message) : Exception(message)
{
    public const string Recovery = "To recover, stop this node, delete its data directory and start it again: it will sync from the primary.";

    public string File { get; } = file;
}
