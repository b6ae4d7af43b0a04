using KvAspire.Node.Cluster;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// <c>PUT/GET/DELETE /kv/{**key}</c>. The key is the rest of the path, percent-decoded, so
/// <c>user:1</c> and <c>a/b</c> both work. Writes may override the acknowledgement mode with the
/// <c>X-Kv-Acknowledge</c> header or <c>?ack=</c> (Quorum or Leader).
/// </summary>
public static class KvApi
{
    public const string AcknowledgeHeader = "X-Kv-Acknowledge";
    private const string DefaultContentType = "application/octet-stream";

    public static IEndpointRouteBuilder MapKvApi(this IEndpointRouteBuilder app)
    {
        var kv = app.MapGroup("/kv");
        kv.MapGet("/{**key}", GetAsync);
        kv.MapPut("/{**key}", PutAsync);
        kv.MapDelete("/{**key}", DeleteAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(string? key, KvCommands commands, IOptions<LimitsOptions> limits,
        HttpResponse response, CancellationToken cancellationToken)
    {
        if (KeyValidation.Problem(key, limits.Value) is { } problem)
            return ApiError.BadRequest("invalid_key", problem);
        return await commands.GetAsync(key!, cancellationToken) switch
        {
            ReadOutcome.Found found => TypedResults.Bytes(found.Value.Value, found.Value.ContentType ?? DefaultContentType),
            ReadOutcome.NotFound => TypedResults.Json(new ApiError("not_found", $"no value for key '{key}'"), statusCode: StatusCodes.Status404NotFound),
            ReadOutcome.NotPrimary n => ApiError.NotPrimary(n.Primary, n.Term),
            ReadOutcome.NotReady r => ApiError.Unavailable(response, "not_ready",
                "this primary could not confirm with a majority that it still leads (just elected, or cut off); retry shortly", r.Term),
            ReadOutcome.Overloaded => ApiError.Overloaded(response),
            var other => throw new InvalidOperationException($"Unexpected read outcome {other}."),
        };
    }

    private static async Task<IResult> PutAsync(string? key, HttpRequest request, KvCommands commands,
        IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (WriteProblem(key, request, limits.Value, out var acknowledge) is { } problem)
            return problem;
        var maxValue = limits.Value.MaxValueBytes;
        var value = await RequestBody.ReadAsync(request, maxValue, cancellationToken);
        if (value is null)
            return ApiError.TooLarge($"the value is larger than the limit (Limits:MaxValueBytes) of {maxValue} bytes");
        var outcome = await commands.SetAsync(key!, value, request.ContentType, acknowledge, cancellationToken);
        return outcome is WriteOutcome.Written written
            ? TypedResults.Ok(new WriteAccepted(written.Index, written.Term))
            : ApiError.From(outcome, request.HttpContext.Response);
    }

    private static async Task<IResult> DeleteAsync(string? key, HttpRequest request, KvCommands commands,
        IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (WriteProblem(key, request, limits.Value, out var acknowledge) is { } problem)
            return problem;
        var outcome = await commands.DeleteAsync(key!, acknowledge, cancellationToken);
        return outcome switch
        {
            WriteOutcome.Written { Existed: false } w => TypedResults.Json(
                new ApiError("not_found", $"no value for key '{key}'", Term: w.Term), statusCode: StatusCodes.Status404NotFound),
            WriteOutcome.Written w => TypedResults.Ok(new WriteAccepted(w.Index, w.Term)),
            _ => ApiError.From(outcome, request.HttpContext.Response),
        };
    }

    /// <summary>What every write checks first: the key, and the acknowledgement mode if one is asked for.</summary>
    private static IResult? WriteProblem(string? key, HttpRequest request, LimitsOptions limits, out Acknowledge? acknowledge)
    {
        acknowledge = null;
        if (KeyValidation.Problem(key, limits) is { } keyProblem)
            return ApiError.BadRequest("invalid_key", keyProblem);
        return TryReadAcknowledge(request, out acknowledge, out var ackProblem) ? null : ackProblem;
    }

    private static bool TryReadAcknowledge(HttpRequest request, out Acknowledge? acknowledge, out IResult problem)
    {
        acknowledge = null;
        problem = Results.Empty;
        var text = request.Headers[AcknowledgeHeader].FirstOrDefault() ?? request.Query["ack"].FirstOrDefault();
        if (text is null)
            return true;
        if (Enum.TryParse<Acknowledge>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            acknowledge = parsed;
            return true;
        }
        problem = ApiError.BadRequest("invalid_acknowledge", $"'{text}' is not an acknowledgement mode; use Quorum or Leader");
        return false;
    }

    /// <summary>Where a write landed in the replication log.</summary>
    public sealed record WriteAccepted(long Index, long Term);
}
