using Microsoft.Extensions.Options;

namespace KvAspire.Settings;

/// <summary>
/// The one shape of a bad setting's message, <c>Configuration 'Limits:MaxKeyBytes' is '0'; it must be ...</c>, and
/// what a process prints when it cannot start because of one: every options type is validated at start
/// (<see cref="SettingsRegistration.AddSettings{TOptions}"/>), and each failure is an <see cref="OptionsValidationException"/>.
/// </summary>
public static class BadSetting
{
    public static string Message(string setting, string problem) => $"Configuration '{setting}' {problem}.";

    /// <summary>A bad setting found outside an options type's validators (a service-discovery entry), reported alike.</summary>
    public static OptionsValidationException Exception(string setting, Type type, string problem) =>
        new(setting, type, [Message(setting, problem)]);

    /// <summary>
    /// The failures <paramref name="error"/> holds, one per line, when the start stopped on settings alone; otherwise
    /// null. <c>ValidateOnStart</c> throws one <see cref="OptionsValidationException"/> for one bad options type and an
    /// <see cref="AggregateException"/> of them for several; a validator that reads another type's options (Storage
    /// reads Replication) can report that type's failure again, so each line appears once.
    /// </summary>
    public static string? Describe(Exception error)
    {
        IEnumerable<Exception> errors = error is AggregateException aggregate ? aggregate.InnerExceptions : [error];
        if (!errors.All(e => e is OptionsValidationException))
            return null;
        var failures = errors.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct(StringComparer.Ordinal);
        return string.Join(Environment.NewLine, failures);
    }
}
