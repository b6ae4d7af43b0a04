namespace KvAspire.Node.Cluster;

/// <summary><c>Limits:</c> sizes a client request may not exceed.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    public int MaxKeyBytes { get; set; } = 8 * 1024;
    public int MaxValueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest log entry a client command can produce: its value, its key and the command's own fields (content type, op, timestamp).</summary>
    public long MaxEntryBytes => (long)MaxValueBytes + MaxKeyBytes + 64 * 1024;

    public void Validate()
    {
        if (MaxKeyBytes is < 1 or > 1024 * 1024)
            throw new OptionsValidationError("Limits:MaxKeyBytes", "must be between 1 and 1048576");
        if (MaxValueBytes is < 1 or > 512 * 1024 * 1024)
            throw new OptionsValidationError("Limits:MaxValueBytes", "must be between 1 and 536870912");
    }
}
