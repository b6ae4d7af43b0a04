using System.IO.Hashing;
using System.Text;

namespace KvAspire.Node.Api;

/// <summary>A page of keys and the cursor that continues after it (0: the scan is complete).</summary>
public sealed record KeyPage(ulong Cursor, IReadOnlyList<string> Keys);

/// <summary>
/// SCAN over a store with no ordered index (and HSCAN and SSCAN over a hash's fields or a set's members, the same way). A key's position is a stable hash of its bytes, and the
/// cursor is the next hash to visit: every key present for a whole scan is returned at least once
/// (Redis' guarantee), keys added or removed meanwhile may or may not be, and the cursor stays
/// meaningful on another node after a failover. Each page costs one pass over the keys.
/// </summary>
public static class KeyScan
{
    /// <summary>The <paramref name="count"/> keys with the smallest hashes at or after <paramref name="cursor"/>, plus any that share the last hash.</summary>
    public static KeyPage Page(IEnumerable<string> keys, ulong cursor, int count, Func<string, bool>? match)
    {
        // Pass 1: the boundary hash, i.e. the largest of the `count` smallest hashes at or after the cursor.
        var smallest = new PriorityQueue<uint, uint>(Comparer<uint>.Create((a, b) => b.CompareTo(a)));
        foreach (var key in keys)
        {
            var hash = Hash(key);
            if (hash < cursor)
                continue;
            if (smallest.Count < count)
                smallest.Enqueue(hash, hash);
            else if (hash < smallest.Peek())
                smallest.EnqueueDequeue(hash, hash);
        }
        if (smallest.Count == 0)
            return new KeyPage(0, []);
        var boundary = smallest.Peek();

        // Pass 2: every key up to the boundary (ties included, so none is skipped), and whether any lie beyond.
        var page = new List<string>(smallest.Count);
        var more = false;
        foreach (var key in keys)
        {
            var hash = Hash(key);
            if (hash < cursor)
                continue;
            if (hash > boundary)
                more = true;
            else if (match is null || match(key))
                page.Add(key);
        }
        return new KeyPage(more ? boundary + 1UL : 0, page);
    }

    public static uint Hash(string key)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        Span<byte> bytes = length <= 256 ? stackalloc byte[256] : new byte[length];
        Encoding.UTF8.GetBytes(key, bytes);
        return XxHash32.HashToUInt32(bytes[..length]);
    }
}
