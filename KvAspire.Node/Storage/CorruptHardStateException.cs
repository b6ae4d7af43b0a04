namespace KvAspire.Node.Storage;

/// <summary>The term-and-vote file does not read back as one.</summary>
public sealed class CorruptHardStateException(string file, string problem)
    : DamagedDataException(file, $"Hard state file '{file}' is corrupt: {problem}. {Recovery}");
