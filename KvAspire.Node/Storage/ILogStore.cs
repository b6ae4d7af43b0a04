using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// The replication log on disk. Entries are appended contiguously and may be truncated from an
/// index on (replacing entries a new primary never committed). All methods are called from the
/// host loop only; the entries passed in are immutable and may be kept.
/// </summary>
public interface ILogStore : IDisposable
{
    /// <summary>Every entry recovered at open, in index order. Called once, before anything else.</summary>
    IReadOnlyList<Entry> Load();

    /// <summary>Appends entries following the last stored one. Not durable until <see cref="Flush"/>.</summary>
    void Append(IReadOnlyList<Entry> entries);

    /// <summary>Removes every entry from <paramref name="index"/> on.</summary>
    void TruncateFrom(long index);

    /// <summary>Bytes the log takes on disk (including what is still buffered).</summary>
    long SizeBytes { get; }

    /// <summary>Hands buffered writes to the operating system, and with <paramref name="durable"/> waits
    /// until they are on stable storage (fsync).</summary>
    void Flush(bool durable);
}
