namespace KvAspire.Node.Storage;

/// <summary>A snapshot file does not read back exactly.</summary>
public sealed class CorruptSnapshotException(string file, string problem)
    : DamagedDataException(file, $"Snapshot file '{file}' is corrupt: {problem}. {Recovery}");
