using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KvAspire.Settings;

/// <summary>How the node and the gateway declare an options type: bound from its section, checked by its validators at start.</summary>
public static class SettingsRegistration
{
    /// <summary>
    /// <c>AddOptions&lt;T&gt;().BindConfiguration(section).ValidateOnStart()</c>, except that a value the binder cannot
    /// convert (<c>Cluster:Timing=Slow</c>) fails as an <see cref="OptionsValidationException"/>: start-up then reports it
    /// with the other bad settings (<see cref="BadSetting.Describe"/>) instead of stopping on the binder's own exception,
    /// which <c>ValidateOnStart</c> does not collect. <paramref name="section"/> null binds the root (environment-style keys).
    /// </summary>
    public static OptionsBuilder<TOptions> AddSettings<TOptions>(this IServiceCollection services, string? section) where TOptions : class
    {
        return services.AddOptions<TOptions>()
            .Configure<IConfiguration>((options, configuration) => Bind(section is null ? configuration : configuration.GetSection(section), options))
            .ValidateOnStart();

        void Bind(IConfiguration from, TOptions options)
        {
            try
            {
                from.Bind(options);
            }
            catch (InvalidOperationException e)
            {
                // The binder's message names the key and the value it could not convert (an unknown enum name, say).
                throw BadSetting.Exception(section ?? typeof(TOptions).Name, typeof(TOptions), $"has a value that cannot be read: {e.Message.TrimEnd('.')}");
            }
        }
    }

    /// <summary>
    /// Checks every setting registered with <see cref="AddSettings{TOptions}"/> as the app is built, when Kestrel is
    /// configured, before any configuration of Kestrel reads one (register this first). The start would check them all
    /// too, but only after the build, where the first setting Kestrel reads would stop it alone; this way a bad start
    /// names every bad setting at once.
    /// </summary>
    public static IServiceCollection ValidateSettingsWhenServerIsBuilt(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IStartupValidator>((_, settings) => settings.Validate());
        return services;
    }

    /// <summary>Adds <typeparamref name="TValidator"/> to the validators every <typeparamref name="TOptions"/> passes through.</summary>
    public static OptionsBuilder<TOptions> ValidateWith<TOptions, TValidator>(this OptionsBuilder<TOptions> builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }

    /// <summary>
    /// The options a rule between two types reads (Storage's reads Replication), or null while those are invalid
    /// themselves: their own check reports them, and a rule that threw instead would hide the failures of its own type.
    /// </summary>
    public static TOptions? ValueIfValid<TOptions>(this IOptions<TOptions> options) where TOptions : class
    {
        try
        {
            return options.Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
