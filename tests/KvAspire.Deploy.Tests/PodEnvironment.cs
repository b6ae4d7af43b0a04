using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>One environment variable of a container as the manifest declares it.</summary>
/// <param name="Value">The literal (or ConfigMap) value; null when it comes from a field reference.</param>
/// <param name="FieldPath">The downward-API field (<c>metadata.name</c>) it comes from, if any.</param>
/// <param name="SecretKey">The Secret key (<c>kv-auth/password</c>) it comes from, if any; the value is then a stand-in.</param>
/// <param name="ConfigMap">The ConfigMap it comes from whole (<c>envFrom</c>), if any.</param>
internal sealed record EnvVar(string Name, string? Value, string? FieldPath, string? SecretKey = null, string? ConfigMap = null);

/// <summary>A container's environment the way the kubelet builds it: <c>envFrom</c> first, then <c>env</c> (which wins).</summary>
internal static partial class PodEnvironment
{
    /// <summary>The declared variables, ConfigMaps resolved; <paramref name="problems"/> gets what cannot be resolved.</summary>
    public static IReadOnlyList<EnvVar> Declared(Manifest manifest, YamlNode container, ICollection<string> problems)
    {
        var where = $"container {container.Str("name")}";
        var variables = new List<EnvVar>();
        foreach (var source in container.Items("envFrom"))
        {
            var configMap = source.Str("configMapRef", "name");
            if (configMap is null)
            {
                problems.Add($"{where}: envFrom other than configMapRef is not checked; use a ConfigMap");
                continue;
            }
            if (manifest.Find("ConfigMap", configMap) is not { } map)
            {
                problems.Add($"{where}: envFrom names ConfigMap {configMap}, which the manifest does not contain");
                continue;
            }
            var prefix = source.Str("prefix") ?? "";
            variables.AddRange(map.Map("data").Select(entry => new EnvVar(prefix + entry.Key, entry.Value, null, ConfigMap: configMap)));
        }
        foreach (var item in container.Items("env"))
        {
            var name = item.Str("name") ?? "";
            var fieldPath = item.Str("valueFrom", "fieldRef", "fieldPath");
            string? value = item.Str("value") ?? (fieldPath is null ? "" : null);
            string? secretKey = null;
            if (item.At("valueFrom", "secretKeyRef") is { } secretRef)
            {
                // Secrets are created by the operator, never kept in the manifests: a stand-in value.
                secretKey = $"{secretRef.Str("name")}/{secretRef.Str("key")}";
                value = $"<secret {secretKey}>";
            }
            else if (item.At("valueFrom", "configMapKeyRef") is { } keyRef)
            {
                value = manifest.Find("ConfigMap", keyRef.Str("name") ?? "")?.Map("data").GetValueOrDefault(keyRef.Str("key") ?? "");
                if (value is null)
                    problems.Add($"{where}: env {name} refers to a ConfigMap key the manifest does not contain");
            }
            else if (item.At("valueFrom") is not null && fieldPath is null)
            {
                problems.Add($"{where}: env {name} comes from a source the checks cannot follow");
            }
            variables.RemoveAll(v => v.Name == name);
            variables.Add(new EnvVar(name, value, fieldPath, secretKey));
        }
        return variables;
    }

    /// <summary>The environment pod <paramref name="podName"/> would see: field references filled, <c>$(VAR)</c> expanded.</summary>
    public static Dictionary<string, string> ForPod(IReadOnlyList<EnvVar> declared, string podName, string podNamespace = "default")
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in declared)
        {
            var value = variable.FieldPath switch
            {
                null => variable.Value ?? "",
                "metadata.name" => podName,
                "metadata.namespace" => podNamespace,
                var other => $"<{other}>",
            };
            environment[variable.Name] = Reference().Replace(value, m => environment.GetValueOrDefault(m.Groups[1].Value, m.Value));
        }
        return environment;
    }

    /// <summary>Whether another variable's value uses <paramref name="name"/> as <c>$(name)</c>: a helper, not a setting.</summary>
    public static bool IsReferenced(IReadOnlyList<EnvVar> declared, string name) =>
        declared.Any(v => v.Value is { } value && Reference().Matches(value).Any(m => m.Groups[1].Value == name));

    /// <summary>Environment variable names as configuration keys (<c>Cluster__NodeId</c> -> <c>Cluster:NodeId</c>).</summary>
    public static Dictionary<string, string?> AsConfiguration(IReadOnlyDictionary<string, string> environment) =>
        environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}
