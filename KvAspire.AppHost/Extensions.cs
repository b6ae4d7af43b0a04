using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

internal static class Extensions
{
    private const string NodesSetting = "Cluster:Nodes";
    private const string DataRootSetting = "Storage:DataRoot";
    private const string AdminSetting = "Admin:Enabled";

    /// <summary>
    /// Node settings the AppHost forwards from its own configuration (appsettings, arguments such as
    /// <c>--Cluster:Timing=Fast</c>, environment) to every node; unset keys keep the node's defaults.
    /// </summary>
    private static readonly string[] ForwardedNodeSettings =
    [
        "Cluster:Timing",
        "Cluster:HeartbeatInterval",
        "Cluster:ElectionTimeoutMin",
        "Cluster:ElectionTimeoutMax",
        "Cluster:TickInterval",
        "Replication:Acknowledge",
    ];

    /// <summary>node1..nodeN from <c>Cluster:Nodes</c> (default 3).</summary>
    public static IReadOnlyList<string> GetNodeNames(this IDistributedApplicationBuilder builder)
    {
        var setting = builder.Configuration[NodesSetting];
        var count = 3;
        // An even group tolerates no more failures than the odd one below it and can split its vote.
        if (setting is not null && (!int.TryParse(setting, out count) || count < 1 || count % 2 == 0))
        {
            throw new InvalidOperationException(
                $"{NodesSetting} must be an odd number >= 1 (1, 3, 5, ...); got '{setting}'.");
        }
        return [.. Enumerable.Range(1, count).Select(i => $"node{i}")];
    }

    /// <summary>
    /// The folder holding one sub-folder per node: <c>Storage:DataRoot</c>, else <c>.kvdata</c> beside
    /// the AppHost project. Tests should pass their own temporary folder.
    /// </summary>
    public static string GetDataRoot(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(builder.Configuration[DataRootSetting] ?? Path.Combine(builder.AppHostDirectory, ".kvdata"));

    /// <summary>
    /// Whether the nodes get their crash/isolate drill endpoints (and the dashboard its Crash and Isolate
    /// commands): <c>Admin:Enabled</c> if set, else only in Development (the http launch profile, and
    /// Aspire.Hosting.Testing, which applies that profile).
    /// </summary>
    public static bool IsNodeAdminEnabled(this IDistributedApplicationBuilder builder) =>
        builder.Configuration.GetValue<bool?>(AdminSetting) ?? builder.Environment.IsDevelopment();

    public static IResourceBuilder<ProjectResource> WithClusterSettingsFrom(
        this IResourceBuilder<ProjectResource> node, IConfiguration configuration)
    {
        foreach (var key in ForwardedNodeSettings)
        {
            if (configuration[key] is { Length: > 0 } value)
            {
                node.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return node;
    }
}
