using System.Text.Json.Serialization;

namespace KvAspire.Contracts;

/// <summary>
/// What KvAspire says in every error answer, from a node, the gateway or their authentication. On the wire it is an
/// RFC 9457 problem (<c>application/problem+json</c>: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>) whose
/// extensions carry <see cref="Error"/>, a stable machine-readable code, and <see cref="Primary"/> and
/// <see cref="Term"/> where the answer is about who is primary (not_primary, leadership_lost). Read a problem body
/// into this record with <c>JsonSerializerOptions.Web</c>; the standard members it leaves out are the status's own.
/// </summary>
/// <param name="Detail">For people: what happened and what to do next (the problem's <c>detail</c>).</param>
public sealed record ApiError(
    string Error,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Primary = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Term = null)
{
    /// <summary>The media type of every error answer (RFC 9457).</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>The refusal of a node that is not the primary, naming the primary it knows of (if any) so that a client,
    /// or the gateway, can go there.</summary>
    public static ApiError NotPrimary(string? primary, long term) => new("not_primary", primary is null
        ? "this node is not the primary and no primary is known yet; retry shortly"
        : $"this node is not the primary; send the request to {primary}", primary, term);

    /// <summary>The problem's extension members: <c>error</c> always, <c>primary</c> and <c>term</c> when known.</summary>
    public IDictionary<string, object?> Extensions()
    {
        var extensions = new Dictionary<string, object?> { ["error"] = Error };
        if (Primary is not null)
            extensions["primary"] = Primary;
        if (Term is not null)
            extensions["term"] = Term;
        return extensions;
    }
}
