namespace KvAspire.Node.Cluster;

/// <summary><c>Limits:</c> sizes a client request may not exceed.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    public int MaxKeyBytes { get; set; } = 8 * 1024;
    public int MaxValueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Fields of a hash, elements of a list, members of a set.</summary>
    public int MaxElementsPerKey { get; set; } = 1024 * 1024;

    /// <summary>One hash field or value, list element or set member.</summary>
    public int MaxElementBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Commands queued between MULTI and EXEC.</summary>
    public int MaxTransactionCommands { get; set; } = 10_000;

    /// <summary>The arguments of every command queued between MULTI and EXEC together: the size of its one log entry.</summary>
    public int MaxTransactionBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest log entry one client command can produce: a value with its key, or a whole transaction,
    /// plus the command's own fields (op, content type, deadline, timestamp).</summary>
    public long MaxEntryBytes => Math.Max((long)MaxValueBytes + MaxKeyBytes, MaxTransactionBytes) + 64 * 1024;

    public void Validate()
    {
        if (MaxKeyBytes is < 1 or > 1024 * 1024)
            throw new OptionsValidationError("Limits:MaxKeyBytes", "must be between 1 and 1048576");
        if (MaxValueBytes is < 1 or > 512 * 1024 * 1024)
            throw new OptionsValidationError("Limits:MaxValueBytes", "must be between 1 and 536870912");
        if (MaxElementsPerKey < 1)
            throw new OptionsValidationError("Limits:MaxElementsPerKey", "must be at least 1");
        if (MaxElementBytes < 1 || MaxElementBytes > MaxValueBytes)
            throw new OptionsValidationError("Limits:MaxElementBytes", $"must be between 1 and Limits:MaxValueBytes ({MaxValueBytes})");
        if (MaxTransactionCommands < 1)
            throw new OptionsValidationError("Limits:MaxTransactionCommands", "must be at least 1");
        if (MaxTransactionBytes is < 1 or > 512 * 1024 * 1024)
            throw new OptionsValidationError("Limits:MaxTransactionBytes", "must be between 1 and 536870912");
    }
}
