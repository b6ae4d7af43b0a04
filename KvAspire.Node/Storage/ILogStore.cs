using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// The replication log on disk. Entries are appended contiguously and may be truncated from an
/// index on (replacing entries a new primary never committed); a snapshot lets the oldest entries go.
/// All methods are called from the host loop only (what <see cref="SyncLater"/> returns excepted); the entries passed in are immutable and may be kept.
/// </summary>
public interface ILogStore : IDisposable
{
    /// <summary>Every entry recovered at open, in index order. Called once, before anything else.</summary>
    IReadOnlyList<Entry> Load();

    /// <summary>Appends entries following the last stored one. Not durable until <see cref="Flush"/>.</summary>
    void Append(IReadOnlyList<Entry> entries);

    /// <summary>Removes every entry from <paramref name="index"/> on.</summary>
    void TruncateFrom(long index);

    /// <summary>Frees the space of entries up to <paramref name="through"/>, which a durable snapshot covers.
    /// It may keep some of them (whole files are deleted); recovery then returns them too.</summary>
    void Compact(long through);

    /// <summary>Removes every stored entry: the log continues after <paramref name="snapshotIndex"/>, the
    /// last entry of a snapshot installed from the primary. Durable when it returns.</summary>
    void ResetAfter(long snapshotIndex);

    /// <summary>Bytes the log takes on disk (including what is still buffered).</summary>
    long SizeBytes { get; }

    /// <summary>Hands buffered writes to the operating system, and with <paramref name="durable"/> waits
    /// until they are on stable storage (fsync).</summary>
    void Flush(bool durable);

    /// <summary>Hands buffered writes to the operating system and returns the fsync that puts them on stable
    /// storage. Unlike every other member it may run on another thread, while the log goes on.</summary>
    Action SyncLater();
}
