using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace KvAspire.Node.Api.Resp;

/// <summary>
/// The arguments of one parsed command (the name is item 0). Items are slices of the connection's
/// input buffer, valid until the connection advances past them; the arrays are reused from command
/// to command, so parsing allocates nothing once warmed up.
/// </summary>
public sealed class RespArguments
{
    private const int MaxKeywordBytes = 32;

    private ReadOnlySequence<byte>[] _items = new ReadOnlySequence<byte>[16];
    private byte[] _inline = new byte[256];

    public int Count { get; private set; }

    /// <summary>Arguments held in arrays of their own (a command queued by MULTI), not in a connection's buffer.</summary>
    public static RespArguments Of(IEnumerable<byte[]> items)
    {
        var arguments = new RespArguments();
        foreach (var item in items)
            arguments.Add(new ReadOnlySequence<byte>(item));
        return arguments;
    }

    /// <summary>The bytes of every item together.</summary>
    public long TotalBytes { get; private set; }

    public ReadOnlySequence<byte> this[int index] =>
        (uint)index < (uint)Count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>True when item <paramref name="index"/> equals the upper-case ASCII <paramref name="keyword"/>, ignoring case.</summary>
    public bool Is(int index, ReadOnlySpan<byte> keyword)
    {
        var item = this[index];
        if (item.Length != keyword.Length)
            return false;
        if (item.IsSingleSegment)
            return Ascii.EqualsIgnoreCase(item.FirstSpan, keyword);
        Span<byte> copy = stackalloc byte[MaxKeywordBytes];
        if (item.Length > MaxKeywordBytes)
            return false;
        item.CopyTo(copy);
        return Ascii.EqualsIgnoreCase(copy[..keyword.Length], keyword);
    }

    /// <summary>The item as text for messages and names (invalid UTF-8 becomes U+FFFD).</summary>
    public string Text(int index) => Encoding.UTF8.GetString(this[index]);

    public byte[] Bytes(int index) => this[index].ToArray();

    /// <summary>The item as a key: false when it is not valid UTF-8, since keys are strings in the store.</summary>
    public bool TryKey(int index, out string key)
    {
        var item = this[index];
        ReadOnlySpan<byte> bytes = item.IsSingleSegment ? item.FirstSpan : item.ToArray();
        var valid = Utf8.IsValid(bytes);
        key = valid ? Encoding.UTF8.GetString(bytes) : "";
        return valid;
    }

    /// <summary>The item as a base-10 integer, as Redis' string2ll reads it.</summary>
    public bool TryInteger(int index, out long value) => RespNumber.TryParseInteger(this[index], out value);

    /// <summary>The item as a SCAN cursor, as Redis reads it (see <see cref="RespNumber.TryParseCursor"/>).</summary>
    public bool TryCursor(int index, out ulong cursor) => RespNumber.TryParseCursor(this[index], out cursor);

    /// <summary>The command name, lower-cased ASCII into <paramref name="destination"/>; false if it cannot be a known name.</summary>
    internal bool TryName(Span<char> destination, out int length)
    {
        length = 0;
        var name = this[0];
        if (name.Length > destination.Length)
            return false;
        Span<byte> bytes = stackalloc byte[destination.Length];
        name.CopyTo(bytes);
        if (Ascii.ToLower(bytes[..(int)name.Length], destination, out length) != OperationStatus.Done)
            return false;
        return true;
    }

    internal void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
        TotalBytes = 0;
    }

    internal void Add(ReadOnlySequence<byte> item)
    {
        if (Count == _items.Length)
            Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
        TotalBytes += item.Length;
    }

    /// <summary>Scratch space for an inline command line, whose quoted arguments must be unescaped somewhere.</summary>
    internal byte[] InlineScratch(int length)
    {
        if (_inline.Length < length)
            _inline = new byte[Math.Max(length, _inline.Length * 2)];
        return _inline;
    }
}
