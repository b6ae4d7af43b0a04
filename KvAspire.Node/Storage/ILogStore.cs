using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// The replication log on disk. Entries are appended contiguously and may be truncated from an
/// index on (replacing entries a new primary never committed); a snapshot lets the oldest entries go.
/// All methods are called from the host loop only (what <see cref="WriteLater"/> returns excepted); the entries passed in are immutable and may be kept.
/// </summary>
public interface ILogStore : IDisposable
{
    /// <summary>Every entry recovered at open, in index order. Called once, before anything else.</summary>
    IReadOnlyList<Entry> Load();

    /// <summary>Appends entries following the last stored one. They reach the operating system at the next
    /// <see cref="Flush"/> or through <see cref="WriteLater"/>, and are durable only after an fsync.</summary>
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

    /// <summary>
    /// Takes what was appended since the last write and returns, to run on another thread while the log goes on, its
    /// write to the operating system and the fsync that puts everything written on stable storage. The writes of
    /// successive calls must run in the order they were taken; a sync covers every write run before it. Every other
    /// member waits until the writes taken so far have run before it touches the files.
    /// </summary>
    LogWrite WriteLater();
}

/// <param name="Write">Writes the records taken, or null if none were appended since the last write.</param>
/// <param name="Sync">The fsync of the file being written.</param>
public readonly record struct LogWrite(Action? Write, Action Sync);
