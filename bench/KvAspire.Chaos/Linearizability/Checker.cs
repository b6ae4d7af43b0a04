namespace KvAspire.Chaos.Linearizability;

/// <summary>What the checker found for a whole history.</summary>
/// <param name="Failures">Per key that is not linearizable: a minimal sub-history of it that is not either
/// (removing any one of its operations makes it linearizable).</param>
public sealed record CheckResult(int Keys, int Operations, IReadOnlyList<KeyFailure> Failures)
{
    public bool IsLinearizable => Failures.Count == 0;
}

public sealed record KeyFailure(string Key, int Operations, IReadOnlyList<Operation> Minimal);

/// <summary>
/// Linearizability of a history of register operations (Wing and Gong's search with Lowe's memoisation, as
/// Porcupine does). Operations on different keys never constrain each other, so each key is checked alone
/// (P-compositionality): the search is exponential only in one key's concurrency.
/// </summary>
public static class Checker
{
    public static CheckResult Check(IReadOnlyList<Operation> history)
    {
        var byKey = history.GroupBy(o => o.Key, StringComparer.Ordinal).ToList();
        var failures = byKey.Where(key => !IsLinearizable(key.ToList()))
            .Select(key => new KeyFailure(key.Key, key.Count(), Shrink(key.ToList())))
            .ToList();
        return new CheckResult(byKey.Count, history.Count, failures);
    }

    /// <summary>Whether one key's operations can be ordered, each at a point between its call and return, so that the
    /// register's sequential specification holds. The key starts without a value.</summary>
    public static bool IsLinearizable(IReadOnlyList<Operation> operations)
    {
        var events = Events.Build(operations);
        var linearized = new bool[operations.Count];
        var seen = new HashSet<(string Done, string? State)>();
        var undo = new Stack<(Events.Node Call, string? State)>();
        string? state = null;
        var entry = events.Head.Next;
        while (events.Head.Next is not null)
        {
            if (entry!.IsCall)
            {
                var operation = operations[entry.Id];
                if (RegisterModel.Step(state, operation, out var next))
                {
                    linearized[entry.Id] = true;
                    if (seen.Add((Key(linearized), next)))
                    {
                        undo.Push((entry, state));
                        state = next;
                        events.Lift(entry);
                        entry = events.Head.Next;
                        continue;
                    }
                    linearized[entry.Id] = false;
                }
                entry = entry.Next;
            }
            else
            {
                // A return reached before its call could be placed: undo the last choice and try the next one.
                if (undo.Count == 0)
                    return false;
                var (call, previous) = undo.Pop();
                state = previous;
                linearized[call.Id] = false;
                events.Unlift(call);
                entry = call.Next;
            }
        }
        return true;
    }

    /// <summary>Removes operations one at a time while what is left is still not linearizable.</summary>
    private static IReadOnlyList<Operation> Shrink(List<Operation> operations)
    {
        for (var i = operations.Count - 1; i >= 0; i--)
        {
            var without = operations.Where((_, j) => j != i).ToList();
            if (!IsLinearizable(without))
                operations = without;
        }
        return operations;
    }

    private static string Key(bool[] linearized) => string.Create(linearized.Length, linearized, (span, bits) =>
    {
        for (var i = 0; i < bits.Length; i++)
            span[i] = bits[i] ? '1' : '0';
    });

    /// <summary>Calls and returns in time order as a doubly linked list, from which a placed operation is lifted out
    /// (its call and its return) and put back on backtracking.</summary>
    private sealed class Events
    {
        public sealed class Node(int id, bool isCall)
        {
            public int Id { get; } = id;
            public bool IsCall { get; } = isCall;
            public Node? Match { get; set; }
            public Node? Previous { get; set; }
            public Node? Next { get; set; }
        }

        public Node Head { get; } = new(-1, false);

        public static Events Build(IReadOnlyList<Operation> operations)
        {
            // At equal times calls come first: operations that touch in time count as concurrent.
            var ordered = operations.SelectMany((o, id) => new[] { (Time: o.Call, Call: true, Id: id), (Time: o.Return ?? long.MaxValue, Call: false, Id: id) })
                .OrderBy(e => e.Time).ThenBy(e => e.Call ? 0 : 1).ToList();
            var events = new Events();
            var calls = new Node[operations.Count];
            var last = events.Head;
            foreach (var (_, isCall, id) in ordered)
            {
                var node = new Node(id, isCall) { Previous = last };
                last.Next = node;
                last = node;
                if (isCall)
                    calls[id] = node;
                else
                    (calls[id].Match, node.Match) = (node, calls[id]);
            }
            return events;
        }

        public void Lift(Node call)
        {
            Remove(call);
            Remove(call.Match!);
        }

        public void Unlift(Node call)
        {
            Restore(call.Match!);
            Restore(call);
        }

        private static void Remove(Node node)
        {
            node.Previous!.Next = node.Next;
            if (node.Next is not null)
                node.Next.Previous = node.Previous;
        }

        private static void Restore(Node node)
        {
            node.Previous!.Next = node;
            if (node.Next is not null)
                node.Next.Previous = node;
        }
    }
}
