using KvAspire.Contracts;
using Microsoft.OpenApi;

namespace KvAspire.Gateway;

/// <summary>
/// The gateway's OpenAPI document at <c>/openapi/v1.json</c>. Its own endpoints (<c>/cluster</c>) describe themselves;
/// the forwarded routes (<c>/kv/{key}</c>, <c>/cluster/members</c>) are YARP's, which OpenAPI cannot see, so they are
/// added here with the answers the gateway itself gives (the primary's own are in the node's document, docs/api.md and
/// docs/membership.md).
/// </summary>
public static class GatewayOpenApi
{
    private const string Keys = "Keys";
    private const string Members = "Members";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Paths ??= [];
            document.Paths["/kv/{key}"] = Item(
                (HttpMethod.Get, Forwarded("ForwardGetValue", "The key's value, from the primary", Keys, "key")),
                (HttpMethod.Put, Forwarded("ForwardPutValue", "Writes the body as the key's value, on the primary", Keys, "key")),
                (HttpMethod.Delete, Forwarded("ForwardDeleteValue", "Deletes the key, on the primary", Keys, "key")));
            document.Paths["/cluster/members"] = Item(
                (HttpMethod.Get, Forwarded("ForwardListMembers", "The primary's members, with the admin secret", Members)),
                (HttpMethod.Post, Forwarded("ForwardAddMember", "Adds the body's {\"id\"} as a learner, with the admin secret", Members)));
            document.Paths["/cluster/members/{id}"] = Item(
                (HttpMethod.Delete, Forwarded("ForwardRemoveMember", "Removes the member, with the admin secret", Members, "id")));
            document.Paths["/cluster/members/{id}/promote"] = Item(
                (HttpMethod.Post, Forwarded("ForwardPromoteMember", "Makes a caught-up learner a voter, with the admin secret", Members, "id")));
            return Task.CompletedTask;
        }));

    private static OpenApiPathItem Item(params (HttpMethod Method, OpenApiOperation Operation)[] operations)
    {
        var item = new OpenApiPathItem();
        foreach (var (method, operation) in operations)
        {
            item.AddOperation(method, operation);
        }
        return item;
    }

    private static OpenApiOperation Forwarded(string id, string summary, string tag, string? pathParameter = null) => new()
    {
        OperationId = id,
        Summary = summary,
        Description = "Sent to the node that is primary now, and re-sent once to the primary a 421 names; every answer of the "
            + "node's own operation can come back (docs/api.md, docs/membership.md).",
        Tags = new HashSet<OpenApiTagReference> { new(tag) },
        Parameters = pathParameter is null
            ? []
            :
            [
                new OpenApiParameter
                {
                    Name = pathParameter,
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = pathParameter == "key" ? "The key, percent-encoded; the rest of the path" : "The member's name",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            ],
        Responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse { Description = "The primary's answer" },
            ["421"] = Problem("not_primary: the node the request reached was no longer primary, and no newer primary was known"),
            ["502"] = Problem("outcome_unknown: the primary failed after the request reached it; a write may or may not have been applied"),
            ["503"] = Problem("no_primary: no primary is known (an election is under way); nothing reached a node. Retry-After: 1"),
        },
    };

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [ApiError.ContentType] = new() },
    };
}
