using YamlDotNet.RepresentationModel;

namespace KvAspire.Deploy.Tests;

/// <summary>The objects of a rendered manifest, as mutable YAML trees (the broken-manifest tests edit them).</summary>
internal sealed class Manifest(IReadOnlyList<YamlMappingNode> objects)
{
    public IReadOnlyList<YamlMappingNode> Objects { get; } = objects;

    public static Manifest Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new Manifest([.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()]);
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Str("kind") == kind);

    public YamlMappingNode? Find(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.Str("metadata", "name") == name);

    public YamlMappingNode Get(string kind, string name) =>
        Find(kind, name) ?? throw new InvalidOperationException($"No {kind}/{name} in the manifest.");
}

/// <summary>Navigation over YamlDotNet's representation model.</summary>
internal static class Yaml
{
    public static YamlNode? At(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
                return null;
        }
        return node;
    }

    public static string? Str(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static int? Int(this YamlNode? node, params string[] path) =>
        int.TryParse(node.Str(path), out var value) ? value : null;

    public static bool? Bool(this YamlNode? node, params string[] path) =>
        bool.TryParse(node.Str(path), out var value) ? value : null;

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? [.. sequence.Children] : [];

    /// <summary>A mapping of scalars (labels, selectors, ConfigMap data); empty when absent.</summary>
    public static IReadOnlyDictionary<string, string> Map(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => (c.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();

    /// <summary>Sets (or adds) <paramref name="key"/> in the mapping at <paramref name="path"/>.</summary>
    public static void Set(this YamlNode node, string[] path, string key, string value) =>
        ((YamlMappingNode)node.At(path)!).Children[new YamlScalarNode(key)] = new YamlScalarNode(value);

    public static void Remove(this YamlNode node, string[] path, string key) =>
        ((YamlMappingNode)node.At(path)!).Children.Remove(new YamlScalarNode(key));
}
