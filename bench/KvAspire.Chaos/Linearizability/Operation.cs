namespace KvAspire.Chaos.Linearizability;

/// <summary>What a client asked of one key.</summary>
public enum OperationKind
{
    /// <summary>Output: the value read, or null for no value.</summary>
    Get,
    /// <summary>Input: the value written.</summary>
    Put,
    /// <summary>Output: whether the key existed (<see cref="Operation.Output"/> "true"/"false"), or null when not known.</summary>
    Delete,
    /// <summary>A create-only write (<c>If-None-Match: *</c>, <c>SET NX</c>). Input: the value; output "true" if it wrote.</summary>
    PutIfAbsent,
}

/// <summary>
/// One client operation on one key, from its invocation to its completion (any monotonic clock, one for the whole
/// history). An operation whose outcome is unknown (a timeout, <c>leadership_lost</c>, a closed connection) has no
/// <see cref="Return"/>: it may have taken effect at any time after its call, or never.
/// </summary>
public sealed record Operation(int Client, string Key, OperationKind Kind, string? Input, string? Output, long Call, long? Return)
{
    public bool IsIndeterminate => Return is null;

    public override string ToString() =>
        $"client {Client} {Kind} {Key}{(Input is null ? "" : $" {Input}")} -> {(IsIndeterminate ? "unknown" : Kind == OperationKind.Put ? "ok" : Output ?? "null")} [{Call}, {(Return is { } r ? r.ToString() : "...")}]";
}
