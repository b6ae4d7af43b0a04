using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KvAspire.Gateway;
using KvAspire.Node.Cluster;
using KvAspire.Security;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// What the node and gateway code read and listen on, taken from the code itself (reflection, the
/// node's source and the project files) so that a code change the manifests do not follow fails the tests.
/// </summary>
internal sealed partial class CodeFacts
{
    /// <summary>What the gateway's <c>ClusterNodes</c> reads outside its options classes: the founding members (the
    /// address templates are <c>GatewayOptions</c>', which reflection finds).</summary>
    private static readonly string[] GatewayMemberKeys = ["Cluster:Members" + IndexedKey];

    /// <summary>How a list setting's elements (<c>Cluster:Members:0</c>, <c>:1</c>, ...) appear among the option keys.</summary>
    private const string IndexedKey = ":*";

    /// <summary>Standard keys the OpenTelemetry SDK (ServiceDefaults) reads from the environment.</summary>
    private static readonly string[] OpenTelemetryKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
    ];

    public static CodeFacts Current { get; } = Load();

    /// <summary>Port settings of the node (KV_HTTP_PORT, ...) and their defaults, from NodeSetup.</summary>
    public required IReadOnlyDictionary<string, int> NodePorts { get; init; }

    /// <summary><c>Section:Property</c> of every node options class (case-insensitive, as configuration is); a list
    /// property as <c>Section:Property:*</c>, standing for its elements.</summary>
    public required IReadOnlySet<string> NodeOptionKeys { get; init; }

    public required IReadOnlySet<string> GatewayOptionKeys { get; init; }
    public required IReadOnlySet<string> TelemetryKeys { get; init; }

    /// <summary>The ServiceDefaults health endpoints: readiness (every check) and liveness.</summary>
    public required string HealthPath { get; init; }
    public required string AlivePath { get; init; }

    public required ContainerSettings NodeContainer { get; init; }
    public required ContainerSettings GatewayContainer { get; init; }

    /// <summary>Whether <paramref name="key"/> (<c>Cluster:Members:0</c>) is one of <paramref name="optionKeys"/>, an
    /// indexed key counting as an element of its list.</summary>
    public static bool IsOptionKey(IReadOnlySet<string> optionKeys, string key) =>
        optionKeys.Contains(key) || optionKeys.Contains(ListIndex().Replace(key, IndexedKey));

    /// <summary>The port name a port setting is exposed under: KV_HTTP_PORT -> http.</summary>
    public static string PortName(string key) => key["KV_".Length..^"_PORT".Length].ToLowerInvariant();

    private static CodeFacts Load()
    {
        var nodeAssembly = typeof(ClusterOptions).Assembly;
        var defaults = typeof(Microsoft.Extensions.Hosting.Extensions);
        return new CodeFacts
        {
            NodePorts = NodePortsFromCode(),
            // Auth: (AuthOptions) lives in ServiceDefaults and is read by both.
            NodeOptionKeys = OptionKeys(nodeAssembly.GetTypes().Where(IsOptionsClass).Append(typeof(AuthOptions))),
            // The admin secret is read by ClientAuthentication (ServiceDefaults), which guards the gateway's /cluster/members route.
            GatewayOptionKeys = OptionKeys([typeof(GatewayOptions), typeof(AuthOptions)], [.. GatewayMemberKeys, ClientAuthentication.AdminSecretSetting]),
            TelemetryKeys = new HashSet<string>(OpenTelemetryKeys, StringComparer.Ordinal),
            HealthPath = Constant(defaults, "HealthEndpointPath"),
            AlivePath = Constant(defaults, "AlivenessEndpointPath"),
            NodeContainer = ContainerSettings.FromProject("KvAspire.Node/KvAspire.Node.csproj"),
            GatewayContainer = ContainerSettings.FromProject("KvAspire.Gateway/KvAspire.Gateway.csproj"),
        };
    }

    /// <summary>An options class: has <c>public const string Section</c> (ClusterOptions, StorageOptions, ...).</summary>
    private static bool IsOptionsClass(Type type) =>
        type is { IsClass: true, IsPublic: true }
        && type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
        && field.FieldType == typeof(string);

    private static HashSet<string> OptionKeys(IEnumerable<Type> types, IEnumerable<string>? others = null)
    {
        var keys = new HashSet<string>(others ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var type in types)
        {
            var section = (string)type.GetField("Section")!.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is { IsPublic: true })
                    keys.Add($"{section}:{property.Name}{(IsList(property.PropertyType) ? IndexedKey : "")}");
            }
        }
        if (keys.Count == 0)
            throw new InvalidOperationException("No options classes (public const string Section) found.");
        return keys;
    }

    private static bool IsList(Type type) =>
        type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    [GeneratedRegex(@":\d+$")]
    private static partial Regex ListIndex();

    private static string Constant(Type type, string name) =>
        type.GetField(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException($"{type.FullName}.{name} is gone: update the deployment tests.");

    /// <summary>The node's ports as <see cref="KvAspire.Node.NodePorts"/> declares them: each key and its default.</summary>
    private static Dictionary<string, int> NodePortsFromCode()
    {
        var defaults = new KvAspire.Node.NodePorts();
        var ports = typeof(KvAspire.Node.NodePorts).GetProperties().ToDictionary(
            property => property.GetCustomAttribute<Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute>()!.Name,
            property => (int)property.GetValue(defaults)!,
            StringComparer.Ordinal);
        if (!ports.ContainsKey("KV_HTTP_PORT") || !ports.ContainsKey("KV_PEER_PORT") || !ports.ContainsKey("KV_RESP_PORT"))
            throw new InvalidOperationException("NodePorts no longer names KV_HTTP_PORT, KV_PEER_PORT and KV_RESP_PORT: update the deployment tests.");
        return ports;
    }
}

/// <summary>SDK container settings of a project (what <c>dotnet publish -t:PublishContainer</c> builds).</summary>
internal sealed record ContainerSettings(string Repository, IReadOnlyList<string> Tags, string? User, IReadOnlySet<int> Ports)
{
    public static ContainerSettings FromProject(string project)
    {
        var xml = XDocument.Load(Tests.Repository.PathOf(project));
        string? Property(string name) => xml.Descendants(name).LastOrDefault()?.Value.Trim();
        var repository = Property("ContainerRepository")
            ?? throw new InvalidOperationException($"{project} declares no ContainerRepository.");
        var tags = (Property("ContainerImageTags") ?? Property("ContainerImageTag") ?? "latest")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ports = xml.Descendants("ContainerPort")
            .Select(port => int.Parse(port.Attribute("Include")!.Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        return new ContainerSettings(repository, tags, Property("ContainerUser"), ports);
    }
}
