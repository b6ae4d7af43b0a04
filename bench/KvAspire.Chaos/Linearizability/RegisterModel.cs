namespace KvAspire.Chaos.Linearizability;

/// <summary>
/// One key as a register that may be absent: the sequential specification each key's operations must fit. The
/// state is the value (null: no value).
/// </summary>
public static class RegisterModel
{
    /// <summary>Whether <paramref name="operation"/>, applied to <paramref name="state"/>, could have answered what it
    /// answered, and the state after it. An indeterminate operation's answer was never seen, so any answer fits.</summary>
    public static bool Step(string? state, Operation operation, out string? next)
    {
        next = state;
        var known = !operation.IsIndeterminate;
        switch (operation.Kind)
        {
            case OperationKind.Get:
                return !known || operation.Output == state;
            case OperationKind.Put:
                next = operation.Input;
                return true;
            case OperationKind.Delete:
                next = null;
                return !known || operation.Output is null || operation.Output == (state is not null ? "true" : "false");
            case OperationKind.PutIfAbsent:
                var wrote = state is null;
                if (wrote)
                    next = operation.Input;
                return !known || operation.Output == (wrote ? "true" : "false");
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation.Kind, "not an operation on a key");
        }
    }
}
