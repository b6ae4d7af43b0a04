using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace KvAspire.Settings;

/// <summary>
/// <see cref="RangeAttribute"/> whose message names the setting as a user types it (<c>Limits:MaxKeyBytes</c>), the
/// value it has and what is allowed. A subclass because the options validator generator replaces a plain
/// <c>[Range]</c> with a copy of its own that ignores <c>ErrorMessage</c> and names the C# property instead
/// (dotnet/runtime#123137); it leaves a subclass as written.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(string setting, int minimum, int maximum) : base(minimum, maximum) => Setting = setting;

    public SettingRangeAttribute(string setting, double minimum, double maximum) : base(minimum, maximum) => Setting = setting;

    /// <summary>For <see cref="long"/> and <see cref="TimeSpan"/> bounds, written as invariant-culture text.</summary>
    public SettingRangeAttribute(string setting, Type type, string minimum, string maximum) : base(type, minimum, maximum)
    {
        Setting = setting;
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    /// <summary>The configuration key, with its section.</summary>
    public string Setting { get; }

    /// <summary>What is allowed, in words ("between 1 MiB and 64 GiB"); unset: "between {minimum} and {maximum}".</summary>
    public string? Allowed { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult(BadSetting.Message(Setting, $"is {Quote(value)}; it must be {AllowedText()}"));

    private string AllowedText() =>
        Allowed ?? $"between {Minimum}{(MinimumIsExclusive ? " (exclusive)" : "")} and {Maximum}";

    private static string Quote(object? value) => string.Create(CultureInfo.InvariantCulture, $"'{value}'");
}
