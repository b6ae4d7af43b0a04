namespace KvAspire.Node.StateMachine;

/// <summary>The operations a log entry can carry. Persisted and replicated: append-only, never renumber.</summary>
public enum CommandOp : byte
{
    Set = 1,
    Delete = 2,
    /// <summary>Set only if the key is absent when the entry is applied (RESP <c>SET NX</c>).</summary>
    SetIfAbsent = 3,
    /// <summary>Set only if the key exists when the entry is applied (RESP <c>SET XX</c>).</summary>
    SetIfPresent = 4,
}
