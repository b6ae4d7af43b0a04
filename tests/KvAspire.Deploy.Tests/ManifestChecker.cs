using System.Globalization;
using KvAspire.Node.Cluster;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>
/// The semantic checks kubernetes-models cannot do: does the manifest fit together, and does it fit the
/// code (ports, probe paths, configuration keys, image settings)? Returns every problem found, each
/// naming the object; an empty list means the manifest passes.
/// </summary>
internal sealed partial class ManifestChecker
{
    private readonly Manifest _manifest;
    private readonly CodeFacts _facts;
    private readonly List<string> _problems = [];
    /// <summary>ConfigMaps both the nodes and the gateway load whole: each key must be read by one of them.</summary>
    private HashSet<string> _sharedConfigMaps = [];

    private ManifestChecker(Manifest manifest, CodeFacts facts) => (_manifest, _facts) = (manifest, facts);

    public static IReadOnlyList<string> Check(Manifest manifest, CodeFacts? facts = null)
    {
        var checker = new ManifestChecker(manifest, facts ?? CodeFacts.Current);
        checker.Run();
        return checker._problems;
    }

    private IEnumerable<YamlMappingNode> Workloads =>
        _manifest.Objects.Where(o => o.Str("kind") is "StatefulSet" or "Deployment");

    private void Run()
    {
        foreach (var workload in Workloads)
        {
            CheckSelector(workload);
            CheckPod(workload);
        }
        foreach (var service in _manifest.OfKind("Service"))
            CheckService(service);

        var nodes = WorkloadsRunning("StatefulSet", _facts.NodeContainer.Repository);
        if (nodes.Count != 1)
        {
            Problem($"expected one StatefulSet running image {_facts.NodeContainer.Repository} (KvAspire.Node's ContainerRepository), found {nodes.Count}");
            return;
        }
        var (node, nodeContainer) = nodes[0];
        var gateways = WorkloadsRunning("Deployment", _facts.GatewayContainer.Repository);
        if (gateways.Count != 1)
            Problem($"expected one Deployment running image {_facts.GatewayContainer.Repository} (KvAspire.Gateway's ContainerRepository), found {gateways.Count}");
        var gateway = gateways.Count == 1 ? gateways[0] : default((YamlMappingNode Workload, YamlNode Container)?);
        _sharedConfigMaps = [.. LoadedConfigMaps(nodeContainer).Intersect(gateway is { } g ? LoadedConfigMaps(g.Container) : [])];

        var founding = CheckNode(node, nodeContainer);
        CheckDisruptionBudget(node);
        if (gateway is { } loaded)
            CheckGateway(loaded.Workload, loaded.Container, nodeContainer);
        CheckFoundingMembers(node, nodeContainer, gateway, founding);
    }

    // ---- every workload and Service ----

    private void CheckSelector(YamlMappingNode workload)
    {
        var selector = workload.Map("spec", "selector", "matchLabels");
        var labels = TemplateLabels(workload);
        if (workload.At("spec", "selector", "matchExpressions") is not null)
            Problem($"{Name(workload)}: selector uses matchExpressions; use matchLabels");
        if (selector.Count == 0)
            Problem($"{Name(workload)}: selector has no matchLabels");
        else if (!Selects(selector, labels))
            Problem($"{Name(workload)}: selector {Show(selector)} does not match the pod template labels {Show(labels)}");
    }

    private void CheckPod(YamlMappingNode workload)
    {
        var pod = workload.At("spec", "template", "spec");
        var runAsNonRoot = pod.Bool("securityContext", "runAsNonRoot");
        foreach (var container in pod.Items("containers"))
        {
            var where = $"{Name(workload)} container {container.Str("name")}";
            if (runAsNonRoot != true && container.Bool("securityContext", "runAsNonRoot") != true)
                Problem($"{where}: runAsNonRoot is not set");
            if (container.Bool("securityContext", "readOnlyRootFilesystem") != true)
                Problem($"{where}: readOnlyRootFilesystem is not set");
            if (container.Bool("securityContext", "allowPrivilegeEscalation") != false)
                Problem($"{where}: allowPrivilegeEscalation is not false");
            if (container.At("readinessProbe") is null || container.At("livenessProbe") is null)
                Problem($"{where}: needs a readiness and a liveness probe");
            foreach (var kind in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (container.Str("resources", kind, resource) is null)
                        Problem($"{where}: resources.{kind}.{resource} is not set");
                }
            }
            // .NET writes to /tmp (diagnostics sockets, temp files): with a read-only root it needs a volume.
            var tmp = container.Items("volumeMounts").FirstOrDefault(m => m.Str("mountPath") == "/tmp");
            if (tmp is null || !pod.Items("volumes").Any(v => v.Str("name") == tmp.Str("name") && v.At("emptyDir") is not null))
                Problem($"{where}: /tmp is not an emptyDir volume");
            foreach (var port in container.Items("ports"))
            {
                if (port.Str("name") is null)
                    Problem($"{where}: container port {port.Str("containerPort")} has no name");
            }
        }
    }

    private void CheckService(YamlMappingNode service)
    {
        var selector = service.Map("spec", "selector");
        if (selector.Count == 0)
        {
            Problem($"{Name(service)}: has no selector");
            return;
        }
        var selected = Workloads.Where(w => Selects(selector, TemplateLabels(w))).ToList();
        if (selected.Count == 0)
        {
            Problem($"{Name(service)}: selector {Show(selector)} matches no pod template");
            return;
        }
        foreach (var port in service.Items("spec", "ports"))
        {
            var target = port.Str("targetPort") ?? port.Str("port") ?? "";
            foreach (var workload in selected)
            {
                var containers = workload.Items("spec", "template", "spec", "containers");
                if (!containers.Any(c => ContainerPort(c, target) is not null))
                    Problem($"{Name(service)}: port {port.Str("name")} targets '{target}', which no container of {Name(workload)} exposes");
            }
        }
    }

    // ---- the node StatefulSet ----

    /// <returns>The founding members: the pods kv-0..kv-{replicas-1}.</returns>
    private IReadOnlyList<string> CheckNode(YamlMappingNode node, YamlNode container)
    {
        var name = node.Str("metadata", "name")!;
        var where = Name(node);
        var replicas = node.Int("spec", "replicas") ?? 1;
        var members = Enumerable.Range(0, replicas).Select(i => $"{name}-{i}").ToList();
        var pod = node.At("spec", "template", "spec");

        if (replicas < 3 || replicas % 2 == 0)
            Problem($"{where}: replicas is {replicas}; a Raft group needs an odd number >= 3");
        if (node.Str("spec", "podManagementPolicy") != "Parallel")
            Problem($"{where}: podManagementPolicy must be Parallel (a group needs a majority up to elect)");
        if (pod.Bool("enableServiceLinks") != false)
            Problem($"{where}: enableServiceLinks must be false (a Service named kv-resp would inject KV_RESP_PORT=tcp://...)");
        if (!HasHostAntiAffinity(pod, TemplateLabels(node)))
            Problem($"{where}: no required pod anti-affinity on kubernetes.io/hostname for its own pods");
        if (_facts.NodeContainer.User is { } user && int.TryParse(user, out _) && pod.Str("securityContext", "runAsUser") != user)
            Problem($"{where}: runAsUser is {pod.Str("securityContext", "runAsUser") ?? "unset"}, the image's ContainerUser is {user}");

        CheckHeadlessService(node);

        var declared = PodEnvironment.Declared(_manifest, container, _problems);
        var environment = PodEnvironment.ForPod(declared, members[0]);
        CheckKeys(where, declared, IsNodeKey, "node");
        var nodeId = declared.LastOrDefault(v => string.Equals(v.Name, "Cluster__NodeId", StringComparison.OrdinalIgnoreCase));
        if (nodeId?.FieldPath != "metadata.name")
            Problem($"{where}: Cluster__NodeId must come from the pod name (fieldRef metadata.name)");

        // Ports: what the node listens on (KV_*_PORT, else the code's default) is what the container exposes.
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, fallback) in _facts.NodePorts)
        {
            var portName = CodeFacts.PortName(key);
            var listens = environment.TryGetValue(key, out var text) ? ParsePort(where, key, text) : fallback;
            ports[portName] = listens;
            var exposed = ContainerPort(container, portName);
            if (exposed is null)
                Problem($"{where}: no container port named {portName} (the node listens on {key}={listens})");
            else if (exposed != listens)
                Problem($"{where}: container port {portName} is {exposed} but the node listens on {key}={listens}");
        }
        foreach (var port in container.Items("ports"))
        {
            if (port.Str("name") is { } portName && !ports.ContainsKey(portName))
                Problem($"{where}: exposes port {portName}, which the node does not listen on");
        }
        CheckProbes(where, container, ports.GetValueOrDefault("http"));

        // Storage: the data directory is the volume claimed per pod.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(PodEnvironment.AsConfiguration(environment)).Build();
        var dataDirectory = configuration["Storage:DataDirectory"];
        var claims = node.Items("spec", "volumeClaimTemplates").Select(c => c.Str("metadata", "name")).ToHashSet();
        var dataMount = container.Items("volumeMounts").FirstOrDefault(m => m.Str("mountPath") == dataDirectory);
        if (dataDirectory is null || dataMount is null || !claims.Contains(dataMount.Str("name")))
            Problem($"{where}: Storage__DataDirectory ({dataDirectory ?? "unset"}) is not a mounted volumeClaimTemplate");

        // Graceful termination: room for the primary to hand over (an election round) before SIGKILL.
        var cluster = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        var grace = pod.Int("terminationGracePeriodSeconds") ?? 30;
        if (TimeSpan.FromSeconds(grace) < 2 * cluster.ElectionMax)
            Problem($"{where}: terminationGracePeriodSeconds {grace} is shorter than twice the election timeout ({cluster.ElectionMax})");
        CheckOtlp(where, environment);
        return members;
    }

    private void CheckHeadlessService(YamlMappingNode node)
    {
        var serviceName = node.Str("spec", "serviceName");
        var service = serviceName is null ? null : _manifest.Find("Service", serviceName);
        if (service is null)
        {
            Problem($"{Name(node)}: serviceName {serviceName ?? "(unset)"} names no Service in the manifest");
            return;
        }
        if (service.Str("spec", "clusterIP") != "None")
            Problem($"{Name(node)}: serviceName {serviceName} is not a headless Service (clusterIP: None)");
        if (!Selects(service.Map("spec", "selector"), TemplateLabels(node)))
            Problem($"{Name(node)}: headless Service {serviceName} does not select its pods");
        if (service.Bool("spec", "publishNotReadyAddresses") != true)
            Problem($"{Name(node)}: headless Service {serviceName} must publish not-ready addresses (members find each other before any is ready)");
    }

    private void CheckDisruptionBudget(YamlMappingNode node)
    {
        var labels = TemplateLabels(node);
        var budgets = _manifest.OfKind("PodDisruptionBudget")
            .Where(b => Selects(b.Map("spec", "selector", "matchLabels"), labels)).ToList();
        if (budgets.Count != 1)
        {
            Problem($"{Name(node)}: expected one PodDisruptionBudget selecting its pods, found {budgets.Count}");
            return;
        }
        var budget = budgets[0];
        // minAvailable would have to follow every scale of the StatefulSet; maxUnavailable holds at any size.
        if (budget.Str("spec", "minAvailable") is { } minAvailable)
            Problem($"{Name(budget)}: minAvailable {minAvailable} holds for one size only; use maxUnavailable: 1, which holds as the StatefulSet scales");
        else if (budget.Str("spec", "maxUnavailable") != "1")
            Problem($"{Name(budget)}: maxUnavailable is {budget.Str("spec", "maxUnavailable") ?? "unset"}; it must be 1, so voluntary disruptions leave a majority up");
    }

    // ---- the gateway Deployment ----

    private void CheckGateway(YamlMappingNode gateway, YamlNode container, YamlNode nodeContainer)
    {
        var where = Name(gateway);
        if ((gateway.Int("spec", "replicas") ?? 1) < 2)
            Problem($"{where}: needs at least 2 replicas");
        if (gateway.At("spec", "template", "spec").Bool("enableServiceLinks") != false)
            Problem($"{where}: enableServiceLinks must be false");
        var declared = PodEnvironment.Declared(_manifest, container, _problems);
        var environment = PodEnvironment.ForPod(declared, $"{gateway.Str("metadata", "name")}-pod");
        CheckKeys(where, declared, IsGatewayKey, "gateway");
        // The gateway has no port setting of its own: ASP.NET Core listens on ASPNETCORE_HTTP_PORTS.
        if (!environment.TryGetValue("ASPNETCORE_HTTP_PORTS", out var text) || !int.TryParse(text, out var listens))
        {
            Problem($"{where}: set ASPNETCORE_HTTP_PORTS to the one port the gateway listens on");
            listens = 0;
        }
        var exposed = ContainerPort(container, "http");
        if (exposed != listens)
            Problem($"{where}: container port http is {exposed?.ToString(CultureInfo.InvariantCulture) ?? "missing"} but the gateway listens on ASPNETCORE_HTTP_PORTS={text}");
        CheckProbes(where, container, listens);

        if (environment.TryGetValue("Gateway__RespPort", out var respText))
        {
            var respPort = ParsePort(where, "Gateway__RespPort", respText);
            if (ContainerPort(container, "resp") != respPort)
                Problem($"{where}: container port resp is {ContainerPort(container, "resp")?.ToString(CultureInfo.InvariantCulture) ?? "missing"} but the gateway's RESP endpoint listens on Gateway__RespPort={respText}");
        }
        CheckOtlp(where, environment);
        CheckSharedPassword(where, declared, PodEnvironment.Declared(_manifest, nodeContainer, []));
    }

    /// <summary>
    /// Without Auth__Password a pod serves only loopback clients (protected mode), so the gateway could not
    /// reach the nodes; and the gateway forwards its clients' token, so both must read the same Secret key.
    /// </summary>
    private void CheckSharedPassword(string gateway, IReadOnlyList<EnvVar> gatewayEnvironment, IReadOnlyList<EnvVar> nodeEnvironment)
    {
        const string password = "Auth__Password";
        var nodeSecret = nodeEnvironment.FirstOrDefault(v => v.Name == password)?.SecretKey;
        var gatewaySecret = gatewayEnvironment.FirstOrDefault(v => v.Name == password)?.SecretKey;
        if (nodeSecret is null)
            Problem($"the node pods must take {password} from a Secret (secretKeyRef)");
        if (gatewaySecret is null)
            Problem($"{gateway}: must take {password} from a Secret (secretKeyRef)");
        if (nodeSecret is not null && gatewaySecret is not null && nodeSecret != gatewaySecret)
            Problem($"{gateway}: {password} comes from {gatewaySecret} but the nodes' from {nodeSecret}; they must be the same");
    }

    // ---- shared pieces ----

    private void CheckProbes(string where, YamlNode container, int httpPort)
    {
        CheckProbe(where, container, "readinessProbe", [_facts.HealthPath], httpPort);
        CheckProbe(where, container, "livenessProbe", [_facts.AlivePath], httpPort);
        if (container.At("startupProbe") is not null)
            CheckProbe(where, container, "startupProbe", [_facts.HealthPath, _facts.AlivePath], httpPort);
    }

    private void CheckProbe(string where, YamlNode container, string probe, string[] paths, int httpPort)
    {
        var path = container.Str(probe, "httpGet", "path");
        if (path is null || !paths.Contains(path))
            Problem($"{where}: {probe} path is {path ?? "unset"}, the service answers on {string.Join(" or ", paths)}");
        var port = ContainerPort(container, container.Str(probe, "httpGet", "port") ?? "");
        if (port != httpPort)
            Problem($"{where}: {probe} port is {port?.ToString(CultureInfo.InvariantCulture) ?? "not a container port"}, the HTTP endpoint is {httpPort}");
    }

    /// <summary>An OTLP endpoint naming an in-namespace Service must name one that exists, on one of its ports.</summary>
    private void CheckOtlp(string where, IReadOnlyDictionary<string, string> environment)
    {
        if (!environment.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var endpoint) || string.IsNullOrWhiteSpace(endpoint))
            return;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            Problem($"{where}: OTEL_EXPORTER_OTLP_ENDPOINT '{endpoint}' is not an absolute URI");
            return;
        }
        if (uri.Host.Contains('.', StringComparison.Ordinal))
            return; // another namespace or outside the cluster: not ours to check
        var service = _manifest.Find("Service", uri.Host);
        if (service is null)
            Problem($"{where}: OTEL_EXPORTER_OTLP_ENDPOINT names Service {uri.Host}, which the manifest does not contain");
        else if (!service.Items("spec", "ports").Any(p => p.Int("port") == uri.Port))
            Problem($"{where}: OTEL_EXPORTER_OTLP_ENDPOINT port {uri.Port} is not a port of Service {uri.Host}");
    }

    /// <summary>
    /// Every variable is a key its program reads, or a helper another variable uses (<c>$(POD_NAME)</c>). A key of a
    /// ConfigMap the nodes and the gateway share needs only one of them to read it.
    /// </summary>
    private void CheckKeys(string where, IReadOnlyList<EnvVar> declared, Func<string, bool> reads, string program)
    {
        foreach (var variable in declared)
        {
            if (IsPerReplicaAddress(variable.Name))
            {
                // One taken from a ConfigMap is reported with the ConfigMap (CheckNoPerReplicaAddresses).
                if (variable.ConfigMap is null)
                    Problem($"{where}: env {variable.Name} is a per-replica address; {PerReplicaReason}");
            }
            else if (!reads(variable.Name) && !PodEnvironment.IsReferenced(declared, variable.Name)
                && !(variable.ConfigMap is { } map && _sharedConfigMaps.Contains(map) && (IsNodeKey(variable.Name) || IsGatewayKey(variable.Name))))
            {
                Problem($"{where}: env {variable.Name} is not a configuration key the {program} reads");
            }
        }
    }

    private bool IsNodeKey(string name)
    {
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        return CodeFacts.IsOptionKey(_facts.NodeOptionKeys, key)
            || _facts.NodePorts.ContainsKey(name)
            || _facts.TelemetryKeys.Contains(name)
            || key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase);
    }

    private bool IsGatewayKey(string name)
    {
        var key = name.Replace("__", ":", StringComparison.Ordinal);
        return CodeFacts.IsOptionKey(_facts.GatewayOptionKeys, key)
            || name == "ASPNETCORE_HTTP_PORTS"
            || _facts.TelemetryKeys.Contains(name)
            || key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The names of the ConfigMaps a container loads whole (<c>envFrom</c>), as rendered (with their hash).</summary>
    private static IEnumerable<string> LoadedConfigMaps(YamlNode container) =>
        container.Items("envFrom").Select(source => source.Str("configMapRef", "name")).OfType<string>();

    private int NodePort(YamlNode nodeContainer, string key)
    {
        var environment = PodEnvironment.ForPod(PodEnvironment.Declared(_manifest, nodeContainer, []), "pod");
        return environment.TryGetValue(key, out var text) && int.TryParse(text, out var port) ? port : _facts.NodePorts[key];
    }

    private int ParsePort(string where, string key, string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            return port;
        Problem($"{where}: {key} is '{text}', not a TCP port");
        return -1;
    }

    private List<(YamlMappingNode Workload, YamlNode Container)> WorkloadsRunning(string kind, string repository) =>
        [.. _manifest.OfKind(kind)
            .SelectMany(w => w.Items("spec", "template", "spec", "containers").Select(c => (Workload: w, Container: c)))
            .Where(p => ImageRepository(p.Container.Str("image")) == repository)];

    private static bool HasHostAntiAffinity(YamlNode? pod, IReadOnlyDictionary<string, string> labels) =>
        pod.Items("affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
            .Any(term => term.Str("topologyKey") == "kubernetes.io/hostname"
                && term.Map("labelSelector", "matchLabels") is { Count: > 0 } selector
                && Selects(selector, labels));

    /// <summary>The number a container port (by name, or a number that is one of its ports) stands for.</summary>
    private static int? ContainerPort(YamlNode container, string nameOrNumber)
    {
        foreach (var port in container.Items("ports"))
        {
            if (port.Str("name") == nameOrNumber || port.Str("containerPort") == nameOrNumber)
                return port.Int("containerPort");
        }
        return null;
    }

    /// <summary><c>registry/repo:tag</c> -> <c>registry/repo</c> (digests and tags removed).</summary>
    private static string? ImageRepository(string? image)
    {
        if (image is null)
            return null;
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
            image = image[..at];
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }

    private static IReadOnlyDictionary<string, string> TemplateLabels(YamlNode workload) =>
        workload.Map("spec", "template", "metadata", "labels");

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static string Name(YamlNode o) => $"{o.Str("kind")}/{o.Str("metadata", "name")}";

    private static string Show(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.Select(l => $"{l.Key}={l.Value}")) + "}";

    private void Problem(string problem) => _problems.Add(problem);
}
