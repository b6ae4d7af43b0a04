using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>How an operation ended for its client.</summary>
public enum OpResult
{
    /// <summary>Answered: the operation took effect (or read) as its answer says.</summary>
    Ok,
    /// <summary>Refused before it could take effect (not primary, no primary, overloaded, connection refused).</summary>
    Failed,
    /// <summary>No way to know whether it took effect (a timeout, <c>leadership_lost</c>, <c>outcome_unknown</c>, a closed connection).</summary>
    Indeterminate,
}

/// <summary>What one protocol call answered: the result, the key's output (for Get, Delete, PutIfAbsent) and any error text.</summary>
public readonly record struct Answer(OpResult Result, string? Output = null, string? Error = null)
{
    public static Answer Ok(string? output = null) => new(OpResult.Ok, output);
    public static Answer Failed(string error) => new(OpResult.Failed, Error: error);
    public static Answer Indeterminate(string error) => new(OpResult.Indeterminate, Error: error);
}

/// <summary>One client operation as the run saw it. <see cref="Operation"/> has a return time only when
/// <see cref="Result"/> is Ok; <see cref="Completed"/> is when the client stopped waiting, whatever the result.</summary>
public sealed record ClientOp(Operation Operation, OpResult Result, long Completed, string Via, string? Error)
{
    public bool IsWrite => Operation.Kind != OperationKind.Get;

    /// <summary>What the checker must see: every answered operation, and every write whose outcome is unknown (it may
    /// have taken effect). A refused operation, or a read nobody saw the answer of, changed nothing.</summary>
    public bool BelongsInHistory => Result == OpResult.Ok || (Result == OpResult.Indeterminate && IsWrite);
}
