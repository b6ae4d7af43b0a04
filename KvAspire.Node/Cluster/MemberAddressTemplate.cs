using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>
/// An address with <c>{id}</c> standing for a member's name: how a node reaches members that service discovery does not
/// name, such as the pods a Kubernetes StatefulSet adds, each under its stable DNS name (<c>{id}.kv-peers</c>).
/// </summary>
public static class MemberAddressTemplate
{
    private const string Placeholder = "{id}";

    /// <summary>What is wrong with <paramref name="template"/> (for <see cref="KvAspire.Settings.BadSetting.Message"/>), or null
    /// when nothing is.</summary>
    public static string? Problem(string template, bool needsPort) =>
        template.Contains(Placeholder, StringComparison.Ordinal)
        && Uri.TryCreate(template.Replace(Placeholder, "node", StringComparison.Ordinal), UriKind.Absolute, out var example)
        && (!needsPort || example.Port > 0)
            ? null
            : $"is '{template}'; it must be an absolute URI containing {Placeholder}{(needsPort ? " and a port" : "")}";

    /// <summary><paramref name="template"/> for <paramref name="member"/>; null for a name no member may have.</summary>
    public static Uri? Resolve(string template, string member) =>
        MemberRules.IsValidId(member) ? new Uri(template.Replace(Placeholder, member, StringComparison.Ordinal)) : null;
}
