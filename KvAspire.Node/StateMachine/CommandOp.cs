namespace KvAspire.Node.StateMachine;

/// <summary>The operations a log entry can carry. Persisted and replicated: append-only, never renumber.</summary>
public enum CommandOp : byte
{
    Set = 1,
    Delete = 2,
}
