using KvAspire.Chaos.Linearizability;
using KvAspire.Chaos.Load;

namespace KvAspire.Chaos.Report;

/// <summary>A key whose final value contradicts its last acknowledged write.</summary>
public sealed record LostWrite(string Key, ClientOp Acknowledged, string? Found);

/// <summary>
/// Acknowledged writes lost, from a final read of every key once the cluster has healed. Per key, the last acknowledged
/// write (the one that returned last) must still show, unless another write could have come after it: an acknowledged
/// one that overlapped it, or one whose outcome is unknown (it may have taken effect at any time after its call). A
/// final value none of these explain means the acknowledged write was lost. Sound: it never counts a write that a
/// correct store could have overwritten; the checker judges everything else.
/// </summary>
public static class LostWrites
{
    public static IReadOnlyList<LostWrite> Find(IReadOnlyList<ClientOp> ops, IReadOnlyDictionary<string, string?> finalValues)
    {
        var lost = new List<LostWrite>();
        foreach (var key in ops.Where(o => o.IsWrite).GroupBy(o => o.Operation.Key, StringComparer.Ordinal))
        {
            var last = key.Where(Changes).MaxBy(o => o.Operation.Return);
            if (last is null || !finalValues.TryGetValue(key.Key, out var found))
                continue;
            var explains = key.Where(o => o == last
                    || (Changes(o) && o.Operation.Return > last.Operation.Call)
                    || (o.Result == OpResult.Indeterminate && o.Operation.Kind != OperationKind.Get))
                .Any(o => LeavesValue(o) == found);
            if (!explains)
                lost.Add(new LostWrite(key.Key, last, found));
        }
        return lost;
    }

    /// <summary>An acknowledged write that set the key's state: a put, a delete, a create-only write that wrote.</summary>
    private static bool Changes(ClientOp op) => op.Result == OpResult.Ok && op.Operation.Kind switch
    {
        OperationKind.Put or OperationKind.Delete => true,
        OperationKind.PutIfAbsent => op.Operation.Output == "true",
        _ => false,
    };

    /// <summary>The value the key holds right after <paramref name="op"/> took effect (null: no value).</summary>
    private static string? LeavesValue(ClientOp op) => op.Operation.Kind == OperationKind.Delete ? null : op.Operation.Input;
}
