using KvAspire.Node.Api;
using KvAspire.Node.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Tests;

/// <summary>
/// Runs every validator the node registers for an options type (<see cref="NodeSettings"/>) on one instance, as the
/// options factory does at start, and throws what it would throw. The other types a rule reads (Storage reads
/// Replication, Resp reads Limits) are the ones given, or their defaults.
/// </summary>
internal static class SettingsCheck
{
    public static void Validate<T>(T options, ReplicationOptions? replication = null, LimitsOptions? limits = null) where T : class
    {
        var services = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddNodeSettings();
        if (replication is not null)
            services.AddSingleton(Options.Create(replication));
        if (limits is not null)
            services.AddSingleton(Options.Create(limits));
        using var provider = services.BuildServiceProvider();
        var failures = provider.GetServices<IValidateOptions<T>>()
            .SelectMany(validator => validator.Validate(Options.DefaultName, options).Failures ?? [])
            .ToList();
        if (failures.Count > 0)
            throw new OptionsValidationException(Options.DefaultName, typeof(T), failures);
    }
}
