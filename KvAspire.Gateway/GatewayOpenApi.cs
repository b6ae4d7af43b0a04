using KvAspire.Contracts;
using Microsoft.OpenApi;

namespace KvAspire.Gateway;

/// <summary>
/// The gateway's OpenAPI document at <c>/openapi/v1.json</c>. Its own endpoints (<c>/cluster</c>) describe themselves;
/// the forwarded <c>/kv/{key}</c> route is YARP's, which OpenAPI cannot see, so it is added here with the answers the
/// gateway itself gives (the primary's own are in the node's document and docs/api.md).
/// </summary>
public static class GatewayOpenApi
{
    private const string KeyPath = "/kv/{key}";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Paths ??= [];
            document.Paths[KeyPath] = ForwardedKeys();
            return Task.CompletedTask;
        }));

    private static OpenApiPathItem ForwardedKeys()
    {
        var item = new OpenApiPathItem();
        item.AddOperation(HttpMethod.Get, Forwarded("ForwardGetValue", "The key's value, from the primary"));
        item.AddOperation(HttpMethod.Put, Forwarded("ForwardPutValue", "Writes the body as the key's value, on the primary"));
        item.AddOperation(HttpMethod.Delete, Forwarded("ForwardDeleteValue", "Deletes the key, on the primary"));
        return item;
    }

    private static OpenApiOperation Forwarded(string id, string summary) => new()
    {
        OperationId = id,
        Summary = summary,
        Description = "Sent to the node that is primary now, and re-sent once to the primary a 421 names; every answer of the "
            + "node's own /kv/{key} can come back (docs/api.md).",
        Tags = new HashSet<OpenApiTagReference> { new("Keys") },
        Parameters =
        [
            new OpenApiParameter
            {
                Name = "key",
                In = ParameterLocation.Path,
                Required = true,
                Description = "The key, percent-encoded; the rest of the path",
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
