using KvAspire.Settings;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api;

/// <summary><c>Limits:</c> sizes a client request may not exceed.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    [SettingRange("Limits:MaxKeyBytes", 1, 1024 * 1024)]
    public int MaxKeyBytes { get; set; } = 8 * 1024;

    [SettingRange("Limits:MaxValueBytes", 1, 512 * 1024 * 1024)]
    public int MaxValueBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Fields of a hash, elements of a list, members of a set.</summary>
    [SettingRange("Limits:MaxElementsPerKey", 1, int.MaxValue, Allowed = "at least 1")]
    public int MaxElementsPerKey { get; set; } = 1024 * 1024;

    /// <summary>One hash field or value, list element or set member; at most <see cref="MaxValueBytes"/> (<see cref="LimitsRules"/>).</summary>
    [SettingRange("Limits:MaxElementBytes", 1, int.MaxValue, Allowed = "at least 1")]
    public int MaxElementBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Commands queued between MULTI and EXEC.</summary>
    [SettingRange("Limits:MaxTransactionCommands", 1, int.MaxValue, Allowed = "at least 1")]
    public int MaxTransactionCommands { get; set; } = 10_000;

    /// <summary>The arguments of every command queued between MULTI and EXEC together: the size of its one log entry.</summary>
    [SettingRange("Limits:MaxTransactionBytes", 1, 512 * 1024 * 1024)]
    public int MaxTransactionBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest log entry one client command can produce: a value with its key, or a whole transaction,
    /// plus the command's own fields (op, content type, deadline, timestamp).</summary>
    public long MaxEntryBytes => Math.Max((long)MaxValueBytes + MaxKeyBytes, MaxTransactionBytes) + 64 * 1024;
}

/// <summary>The ranges of <see cref="LimitsOptions"/>' fields, from their attributes.</summary>
[OptionsValidator]
internal sealed partial class LimitsOptionsValidator : IValidateOptions<LimitsOptions>;

/// <summary>An element is part of a value, so it cannot be larger than one.</summary>
internal sealed class LimitsRules : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options) =>
        options.MaxElementBytes > options.MaxValueBytes
            ? ValidateOptionsResult.Fail(BadSetting.Message("Limits:MaxElementBytes",
                $"is '{options.MaxElementBytes}'; it must be between 1 and Limits:MaxValueBytes ({options.MaxValueBytes})"))
            : ValidateOptionsResult.Success;
}
