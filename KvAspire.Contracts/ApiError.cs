using System.Text.Json.Serialization;

namespace KvAspire.Contracts;

/// <summary>The JSON body of every error answer, from a node, the gateway or their authentication: a stable
/// machine-readable code and a sentence for people; <see cref="Primary"/> and <see cref="Term"/> where the answer is about
/// who leads (not_primary, leadership_lost).</summary>
public sealed record ApiError(
    string Error,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Primary = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Term = null)
{
    /// <summary>The refusal of a node that is not the primary, naming the primary it knows of (if any) so that a client,
    /// or the gateway, can go there.</summary>
    public static ApiError NotPrimary(string? primary, long term) => new("not_primary", primary is null
        ? "this node is not the primary and no primary is known yet; retry shortly"
        : $"this node is not the primary; send the request to {primary}", primary, term);
}
