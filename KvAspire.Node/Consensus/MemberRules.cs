namespace KvAspire.Node.Consensus;

/// <summary>
/// What a member's name may be and how many members a cluster may have. A node refuses anything else in a change, a
/// peer message or its settings; the gateway refuses it in a node's <c>/cluster</c> answer before it resolves the name
/// to an address. Compiled into KvAspire.Contracts like <see cref="Role"/>, so both read one definition.
/// </summary>
public static class MemberRules
{
    /// <summary>More members than any cluster of this kind needs; it bounds a configuration entry (and a quorum's cost).</summary>
    public const int MaxMembers = 15;
    public const int MaxIdLength = 63;

    /// <summary>A member's name: 1-63 letters, digits, '-', '_' or '.', as a DNS label or a Kubernetes pod name is.</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
