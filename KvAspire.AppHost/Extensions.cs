using KvAspire.Contracts;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

internal static class Extensions
{
    private const string NodesSetting = "Cluster:Nodes";
    private const string SparesSetting = "Cluster:Spares";
    private const string DataRootSetting = "Storage:DataRoot";
    private const string AdminSetting = "Admin:Enabled";
    private const string RespBasePortSetting = "Resp:BasePort";
    private const int DefaultRespBasePort = 6379;

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
        "Cluster:ReadMode",
        "Cluster:LeaseMargin",
        "Replication:Acknowledge",
        "Storage:Fsync",
        "Storage:SnapshotEntries",
        "Storage:SnapshotBytes",
        "Storage:CatchUpEntries",
        "Storage:CatchUpBytes",
        "Resp:MaxClients",
        "Resp:IdleTimeout",
    ];

    /// <summary>Parameter names: their values live under <c>Parameters:kv-password</c> and <c>Parameters:kv-admin-secret</c>.</summary>
    public const string PasswordParameter = "kv-password";
    public const string AdminSecretParameter = "kv-admin-secret";

    /// <summary>
    /// A secret parameter: the value from configuration (<c>Parameters:{name}</c>, e.g. user secrets or
    /// <c>--Parameters:kv-password=...</c>), else generated once and kept in the AppHost's user secrets.
    /// 32 letters and digits (~190 bits): no characters a shell, a URL or redis-cli would need quoted.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name,
        string description) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
            .WithDescription(description);

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

    /// <summary>node{N+1}.. for <c>Cluster:Spares</c> (default 2): nodes declared but started only by hand, to grow the cluster.</summary>
    public static IReadOnlyList<string> GetSpareNames(this IDistributedApplicationBuilder builder, int founding)
    {
        var setting = builder.Configuration[SparesSetting];
        var count = 2;
        if (setting is not null && (!int.TryParse(setting, out count) || count < 0 || founding + count > MemberRules.MaxMembers))
        {
            throw new InvalidOperationException(
                $"{SparesSetting} must be a number from 0 leaving at most {MemberRules.MaxMembers} nodes in all; got '{setting}'.");
        }
        return [.. Enumerable.Range(founding + 1, count).Select(i => $"node{i}")];
    }

    /// <summary>Every node, spares included, is told the founding members: the membership until the first change.</summary>
    public static IResourceBuilder<ProjectResource> WithFoundingMembers(this IResourceBuilder<ProjectResource> node, IReadOnlyList<string> founders)
    {
        for (var i = 0; i < founders.Count; i++)
            node.WithEnvironment($"Cluster__Members__{i}", founders[i]);
        return node;
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

    /// <summary>
    /// The RESP (Redis protocol) port of each node: <c>Resp:BasePort</c> + 0, 1, 2... (default 6379, so
    /// node1..3 get 6379, 6380, 6381). <c>Resp:BasePort=0</c> leaves them unassigned so Aspire
    /// picks free ones: tests use it, since fixed proxyless ports are not randomized by the testing builder.
    /// </summary>
    public static IReadOnlyList<int?> GetRespPorts(this IDistributedApplicationBuilder builder, int nodeCount)
    {
        var basePort = builder.GetRespBasePort(nodeCount);
        return [.. Enumerable.Range(0, nodeCount).Select(i => basePort == 0 ? (int?)null : basePort + i)];
    }

    /// <summary>The gateway's RESP port: the one below node1's (6378 by default), or a free one with <c>Resp:BasePort=0</c>.</summary>
    public static int? GetGatewayRespPort(this IDistributedApplicationBuilder builder, int nodeCount) =>
        builder.GetRespBasePort(nodeCount) is var basePort and > 0 ? basePort - 1 : null;

    private static int GetRespBasePort(this IDistributedApplicationBuilder builder, int nodeCount)
    {
        var setting = builder.Configuration[RespBasePortSetting];
        var basePort = DefaultRespBasePort;
        if (setting is not null && (!int.TryParse(setting, out basePort) || basePort is < 0 or 1 || basePort + nodeCount > 65536))
        {
            throw new InvalidOperationException(
                $"{RespBasePortSetting} must be 0 (free ports) or a TCP port from 2 leaving room for {nodeCount} nodes (the gateway takes the port below); got '{setting}'.");
        }
        return basePort;
    }

    public static IResourceBuilder<ProjectResource> WithClusterSettingsFrom(
        this IResourceBuilder<ProjectResource> node, IConfiguration configuration)
    {
        foreach (var key in ForwardedNodeSettings)
        {
            if (configuration[key] is { Length: > 0 } value)
            {
                node.WithEnvironment(ToVariable(key), value);
            }
        }
        return node.WithTracingFrom(configuration);
    }

    /// <summary>
    /// The root span budget (<see cref="TracingSettings"/>), set explicitly on a node or the gateway: Aspire gives every
    /// project <c>OTEL_TRACES_SAMPLER=always_on</c>, under which each of thousands of commands a second would pay for a
    /// span, and only an explicit budget outranks it. The AppHost's own setting, if any, is passed on.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTracingFrom(
        this IResourceBuilder<ProjectResource> project, IConfiguration configuration) =>
        project.WithEnvironment(ToVariable(TracingSettings.RootSpansPerSecond),
            configuration[TracingSettings.RootSpansPerSecond] is { Length: > 0 } value
                ? value
                : TracingSettings.DefaultRootSpansPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string ToVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>
    /// Runs the node's built assembly with <c>dotnet exec</c>, in the process Aspire starts, instead of through
    /// <c>dotnet run</c>, which starts the node as its child: the dashboard's Process ID is then the node's own, the
    /// process a user who kills it means to kill. Built with the AppHost (a project reference), in its configuration.
    /// </summary>
    public static IResourceBuilder<ProjectResource> RunAsBuiltAssembly(this IResourceBuilder<ProjectResource> node)
    {
        var project = node.Resource.GetProjectMetadata().ProjectPath;
        var configuration = typeof(Extensions).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        // The AppHost and the node build for one target framework (Directory.Build.props).
        var framework = Path.GetFileName(Path.GetDirectoryName(typeof(Extensions).Assembly.Location)!);
        var assembly = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, framework,
            Path.GetFileNameWithoutExtension(project) + ".dll");
        // Replaces the project's "run --project ..." invocation (an evaluation API, see the csproj's NoWarn).
        return node.WithLaunchToolArgs(context =>
        {
            context.Args.Add("exec");
            context.Args.Add(assembly);
        }, showInCommandLine: false);
    }

    /// <summary>The nodes' gRPC peer endpoints are for the nodes alone: the dashboard shows no link a person could only get a 400 from.</summary>
    public static IResourceBuilder<ProjectResource> WithoutPeerUrls(this IResourceBuilder<ProjectResource> node) =>
        node.WithUrls(context => context.Urls.RemoveAll(url => url.Endpoint?.EndpointName == "peer"));
}
