namespace KvAspire.Node.Storage;

/// <summary>The log on disk is damaged somewhere other than a torn tail.</summary>
public sealed class CorruptLogException(string file, long offset, string problem)
    : DamagedDataException(file, $"Replication log file '{file}' is corrupt at offset {offset}: {problem}. {Recovery}")
{
    public long Offset { get; } = offset;
}
