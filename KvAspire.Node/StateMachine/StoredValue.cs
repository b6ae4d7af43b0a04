using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace KvAspire.Node.StateMachine;

/// <summary>What kind of value a key holds; the names are Redis' TYPE replies. Persisted in snapshots: append-only.</summary>
public enum ValueKind : byte
{
    String = 1,
    Hash = 2,
    List = 3,
    Set = 4,
    /// <summary>A sorted set; its name is what TYPE answers and SCAN ... TYPE takes.</summary>
    ZSet = 5,
}

/// <summary>
/// A key's value, immutable: a change stores a new object, so readers on other threads and a
/// snapshot being written never see one half-changed. <see cref="Revision"/> is the log index of the
/// key's last change (0 for changes logged before revisions existed).
/// </summary>
public abstract class StoredValue(long revision)
{
    public long Revision { get; } = revision;

    public abstract ValueKind Kind { get; }

    /// <summary>Unix milliseconds after which the key is gone; 0 for none.</summary>
    public abstract long DeadlineMs { get; }

    public bool IsExpiredAt(long nowMs) => DeadlineMs != 0 && DeadlineMs <= nowMs;

    /// <summary>The same contents under another deadline (0: none), changed at <paramref name="revision"/>.</summary>
    public abstract StoredValue With(long deadlineMs, long revision);
}

/// <summary>
/// A string value. Its bytes are held in an array of their own, copied out of the log entry they arrived in: that entry
/// also holds the key and the command's framing, and would otherwise stay in memory as long as the value does
/// (bench/RESULTS.md, "Memory per key"). Most keys have neither a content type nor a deadline, so only those that do
/// pay for them (subclasses, not fields).
/// </summary>
public class StringValue : StoredValue
{
    private readonly byte[] _value;

    private protected StringValue(byte[] value, long revision) : base(revision) => _value = value;

    public ReadOnlyMemory<byte> Value => _value;

    /// <summary>The content type an HTTP client stored the value with (HTTP clients get back what they stored).</summary>
    public virtual string? ContentType => null;

    public override ValueKind Kind => ValueKind.String;
    public override long DeadlineMs => 0;

    public static StringValue Create(ReadOnlyMemory<byte> value, string? contentType, long deadlineMs, long revision)
    {
        var bytes = Exact(value);
        return contentType is not null ? new TypedStringValue(bytes, contentType, deadlineMs, revision)
            : deadlineMs != 0 ? new ExpiringStringValue(bytes, deadlineMs, revision)
            : new StringValue(bytes, revision);
    }

    public override StoredValue With(long deadlineMs, long revision) => Create(_value, ContentType, deadlineMs, revision);

    /// <summary>The bytes as an array of exactly their length: the caller's own if it is one (values are never
    /// changed in place), else a copy.</summary>
    private static byte[] Exact(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();
}

public sealed class ExpiringStringValue : StringValue
{
    internal ExpiringStringValue(byte[] value, long deadlineMs, long revision) : base(value, revision) => DeadlineMs = deadlineMs;

    public override long DeadlineMs { get; }
}

public sealed class TypedStringValue : StringValue
{
    internal TypedStringValue(byte[] value, string contentType, long deadlineMs, long revision) : base(value, revision)
    {
        ContentType = contentType;
        DeadlineMs = deadlineMs;
    }

    public override string? ContentType { get; }
    public override long DeadlineMs { get; }
}

/// <summary>
/// A hash's fields (UTF-8, like keys). Sorted, not hashed: replacing a field copies one tree path either way, and a
/// sorted tree's nodes are smaller than a hashed one's (no bucket), so an HSET allocates less on every node
/// (bench/RESULTS.md, "HSET against SET"); fields also come out in the same order on every node.
/// </summary>
public sealed class HashValue(ImmutableSortedDictionary<string, byte[]> fields, long deadlineMs, long revision) : StoredValue(revision)
{
    public static readonly ImmutableSortedDictionary<string, byte[]> Empty = ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal);

    public ImmutableSortedDictionary<string, byte[]> Fields { get; } = fields;
    public override ValueKind Kind => ValueKind.Hash;
    public override long DeadlineMs { get; } = deadlineMs;
    public override StoredValue With(long deadlineMs, long revision) => new HashValue(Fields, deadlineMs, revision);
}

public sealed class ListValue(ImmutableList<byte[]> items, long deadlineMs, long revision) : StoredValue(revision)
{
    public ImmutableList<byte[]> Items { get; } = items;
    public override ValueKind Kind => ValueKind.List;
    public override long DeadlineMs { get; } = deadlineMs;
    public override StoredValue With(long deadlineMs, long revision) => new ListValue(Items, deadlineMs, revision);
}

/// <summary>
/// A set of members (UTF-8, like keys). Sorted, not hashed: a sorted set reaches its i-th member in O(log n), so
/// SPOP and SRANDMEMBER draw members by position instead of walking the whole set on every pop (bench/RESULTS.md,
/// "Data model"); membership costs O(log n) comparisons instead of a hash.
/// </summary>
public sealed class SetValue(ImmutableSortedSet<string> members, long deadlineMs, long revision) : StoredValue(revision)
{
    public static readonly ImmutableSortedSet<string> Empty = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public ImmutableSortedSet<string> Members { get; } = members;
    public override ValueKind Kind => ValueKind.Set;
    public override long DeadlineMs { get; } = deadlineMs;
    public override StoredValue With(long deadlineMs, long revision) => new SetValue(Members, deadlineMs, revision);
}
