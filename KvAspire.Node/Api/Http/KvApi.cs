using System.Globalization;
using KvAspire.Node.Cluster;
using KvAspire.Node.StateMachine;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// <c>PUT/GET/DELETE /kv/{**key}</c>. The key is the rest of the path, percent-decoded, so
/// <c>user:1</c> and <c>a/b</c> both work. Writes may override the acknowledgement mode with the
/// <c>X-Kv-Acknowledge</c> header or <c>?ack=</c> (Quorum or Primary; Leader, its first name, still works). A PUT with <c>?ttl=</c> (or the
/// <c>X-Kv-Ttl</c> header) in seconds expires; GET reports the seconds left in <c>X-Kv-Ttl</c> and the key's
/// revision as its <c>ETag</c>, which PUT and DELETE compare with <c>If-Match</c> / <c>If-None-Match: *</c>. PUT and
/// DELETE with an <c>Idempotency-Key</c> (see <see cref="IdempotencyKey"/>) are applied at most once per key.
/// </summary>
public static class KvApi
{
    public const string AcknowledgeHeader = "X-Kv-Acknowledge";
    public const string TtlHeader = "X-Kv-Ttl";
    private const string DefaultContentType = "application/octet-stream";

    public static IEndpointRouteBuilder MapKvApi(this IEndpointRouteBuilder app)
    {
        var kv = app.MapGroup("/kv").WithTags("Keys");
        Refusals(kv.MapGet("/{**key}", GetAsync)).WithName("GetValue")
            .WithSummary("The key's value, with its ETag (revision) and X-Kv-Ttl (seconds left) when it has a deadline")
            .Produces(StatusCodes.Status200OK, contentType: DefaultContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        Refusals(kv.MapPut("/{**key}", PutAsync)).WithName("PutValue")
            .WithSummary("Writes the body as the key's value; ?ttl=, If-Match, If-None-Match: *, Idempotency-Key and X-Kv-Acknowledge apply")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        Refusals(kv.MapDelete("/{**key}", DeleteAsync)).WithName("DeleteValue")
            .WithSummary("Deletes the key; If-Match, Idempotency-Key and X-Kv-Acknowledge apply")
            .Produces<WriteAccepted>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    /// <summary>What any request on a key may be answered instead: bad input, another node is primary, or try again shortly.</summary>
    private static RouteHandlerBuilder Refusals(RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status421MisdirectedRequest)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> GetAsync(string? key, KvCommands commands, IOptions<LimitsOptions> limits,
        HttpResponse response, CancellationToken cancellationToken)
    {
        if (KeyValidation.Problem(key, limits.Value) is { } problem)
            return ErrorResults.BadRequest("invalid_key", problem);
        // Read-your-writes on this connection: a Primary-acknowledged PUT or DELETE was answered before it committed.
        var lastWrite = LastWrite(response.HttpContext);
        return await commands.GetAsync(key!, cancellationToken, new SharedReadPermit(() => lastWrite)) switch
        {
            ReadOutcome.Found found => Found(found.Value, commands.NowMs, response),
            ReadOutcome.Reply => new ApiError("wrong_type", $"key '{key}' holds a hash, list, set or sorted set, not a value")
                .ToProblem(StatusCodes.Status409Conflict),
            ReadOutcome.NotFound => new ApiError("not_found", $"no value for key '{key}'").ToProblem(StatusCodes.Status404NotFound),
            ReadOutcome.NotPrimary n => ErrorResults.NotPrimary(n.Primary, n.Term),
            ReadOutcome.NotReady r => ErrorResults.Unavailable(response, "not_ready",
                "this primary could not confirm with a majority that it still leads (just elected, or cut off); retry shortly", r.Term),
            ReadOutcome.Overloaded => ErrorResults.Overloaded(response),
            var other => throw new InvalidOperationException($"Unexpected read outcome {other}."),
        };
    }

    private static readonly object LastWriteKey = new();

    /// <summary>The log index of the latest write acknowledged on this client connection (0: none).</summary>
    private static long LastWrite(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(LastWriteKey, out var index) == true ? (long)index! : 0;

    private static void Wrote(HttpContext context, WriteOutcome outcome)
    {
        if (outcome is WriteOutcome.Written written && context.Features.Get<IConnectionItemsFeature>() is { } connection)
            connection.Items[LastWriteKey] = Math.Max(LastWrite(context), written.Index);
    }

    private static IResult Found(StringValue value, long nowMs, HttpResponse response)
    {
        response.Headers.ETag = HttpConditions.Format(value.Revision);
        if (value.DeadlineMs != 0)
            response.Headers[TtlHeader] = Math.Max(0, (value.DeadlineMs - nowMs) / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        return TypedResults.Bytes(value.Value, value.ContentType ?? DefaultContentType);
    }

    private static async Task<IResult> PutAsync(string? key, HttpRequest request, KvCommands commands,
        IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (WriteProblem(key, request, limits.Value, out var acknowledge, out var conditions, out var idempotencyKey) is { } problem)
            return problem;
        if (!TryReadTtl(request, out var ttl, out var ttlProblem))
            return ttlProblem;
        var maxValue = limits.Value.MaxValueBytes;
        var value = await RequestBody.ReadAsync(request, maxValue, cancellationToken);
        if (value is null)
            return ErrorResults.TooLarge($"the value is larger than the limit (Limits:MaxValueBytes) of {maxValue} bytes");
        var idempotent = Idempotent(request, key!, idempotencyKey, value);
        var outcome = ttl is null && conditions.IsNone
            ? await commands.SetAsync(key!, value, request.ContentType, acknowledge, cancellationToken, idempotent)
            : await commands.SetIfAsync(key!, value, request.ContentType, ttl, conditions.Flags, conditions.Revision, cancellationToken, idempotent);
        Wrote(request.HttpContext, outcome);
        return outcome switch
        {
            WriteOutcome.Written { Reply: var reply } when reply == Idempotency.KeyReused => KeyReused(idempotencyKey!),
            WriteOutcome.Written { Reply: CommandReply.NullBulk or CommandReply.NullMultiBulk } written =>
                Repeated(written, request.HttpContext.Response, PreconditionFailed(key!)),
            WriteOutcome.Written written => Repeated(written, request.HttpContext.Response, Accepted(written, request.HttpContext.Response)),
            _ => ErrorResults.From(outcome, request.HttpContext.Response),
        };
    }

    private static async Task<IResult> DeleteAsync(string? key, HttpRequest request, KvCommands commands,
        IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (WriteProblem(key, request, limits.Value, out var acknowledge, out var conditions, out var idempotencyKey) is { } problem)
            return problem;
        var idempotent = Idempotent(request, key!, idempotencyKey, []);
        var outcome = conditions.Revision is { } revision
            ? await commands.DeleteIfAsync(key!, revision, cancellationToken, idempotent)
            : await commands.DeleteAsync(key!, acknowledge, cancellationToken, idempotent);
        Wrote(request.HttpContext, outcome);
        if (outcome is not WriteOutcome.Written written)
            return ErrorResults.From(outcome, request.HttpContext.Response);
        return Repeated(written, request.HttpContext.Response, written switch
        {
            { Reply: var reply } when reply == Idempotency.KeyReused => KeyReused(idempotencyKey!),
            { Reply: CommandReply.NullMultiBulk } => PreconditionFailed(key!),
            { Existed: false } when conditions.Flags == SetFlags.IfPresent => PreconditionFailed(key!),
            { Existed: false } or { Reply: CommandReply.Array { Items: [CommandReply.Integer { Value: 0 }] } } =>
                new ApiError("not_found", $"no value for key '{key}'", Term: written.Term).ToProblem(StatusCodes.Status404NotFound),
            _ => TypedResults.Ok(new WriteAccepted(written.Index, written.Term)),
        });
    }

    /// <summary>The key's new revision is the entry's index: what a following If-Match sends back.</summary>
    private static IResult Accepted(WriteOutcome.Written written, HttpResponse response)
    {
        response.Headers.ETag = HttpConditions.Format(written.Index);
        return TypedResults.Ok(new WriteAccepted(written.Index, written.Term));
    }

    private static IdempotentWrite? Idempotent(HttpRequest request, string key, string? idempotencyKey, ReadOnlySpan<byte> value) =>
        idempotencyKey is null ? null : new IdempotentWrite(idempotencyKey, IdempotencyKey.Fingerprint(request, key, value));

    /// <summary>An answer that repeats an earlier write's says so, as the earlier write's own answer would not.</summary>
    private static IResult Repeated(WriteOutcome.Written written, HttpResponse response, IResult answer)
    {
        if (written.Repeated)
            response.Headers[IdempotencyKey.ReplayedHeader] = "true";
        return answer;
    }

    private static IResult KeyReused(string idempotencyKey) => new ApiError("idempotency_key_reused",
            $"{IdempotencyKey.Header} '{idempotencyKey}' was used within its window for a different request (method, key, value or conditions); nothing was done")
        .ToProblem(StatusCodes.Status422UnprocessableEntity);

    private static IResult PreconditionFailed(string key) =>
        new ApiError("precondition_failed", $"key '{key}' does not match If-Match / If-None-Match; nothing was written")
            .ToProblem(StatusCodes.Status412PreconditionFailed);

    /// <summary><c>?ttl=</c> or <c>X-Kv-Ttl</c>: seconds, a positive number (fractions to the millisecond).</summary>
    private static bool TryReadTtl(HttpRequest request, out TimeSpan? ttl, out IResult problem) =>
        TryReadOption(request, TtlHeader, "ttl", text =>
                double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                && seconds is > 0 and <= 100L * 365 * 24 * 3600 ? TimeSpan.FromSeconds(seconds) : null,
            text => ErrorResults.BadRequest("invalid_ttl", $"'{text}' is not a time to live; give a positive number of seconds (at most 100 years)"),
            out ttl, out problem);

    /// <summary>What every write checks first: the key, the acknowledgement mode if one is asked for, and the conditions.</summary>
    private static IResult? WriteProblem(string? key, HttpRequest request, LimitsOptions limits, out Acknowledge? acknowledge,
        out HttpConditions conditions, out string? idempotencyKey)
    {
        acknowledge = null;
        conditions = HttpConditions.None;
        idempotencyKey = null;
        if (KeyValidation.Problem(key, limits) is { } keyProblem)
            return ErrorResults.BadRequest("invalid_key", keyProblem);
        if (!IdempotencyKey.TryRead(request, out idempotencyKey, out var idempotencyProblem))
            return ErrorResults.BadRequest("invalid_idempotency_key", idempotencyProblem!);
        if (HttpConditions.Read(request, out var conditionProblem) is not { } read)
            return ErrorResults.BadRequest("invalid_condition", conditionProblem!);
        conditions = read;
        return TryReadAcknowledge(request, out acknowledge, out var ackProblem) ? null : ackProblem;
    }

    private static bool TryReadAcknowledge(HttpRequest request, out Acknowledge? acknowledge, out IResult problem) =>
        TryReadOption(request, AcknowledgeHeader, "ack", text =>
                Enum.TryParse<Acknowledge>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : (Acknowledge?)null,
            text => ErrorResults.BadRequest("invalid_acknowledge", $"'{text}' is not an acknowledgement mode; use Quorum or Primary"),
            out acknowledge, out problem);

    /// <summary>A write's option from its header, else its query parameter: null when neither is given, false when unreadable.</summary>
    private static bool TryReadOption<T>(HttpRequest request, string header, string query, Func<string, T?> parse, Func<string, IResult> refuse,
        out T? value, out IResult problem) where T : struct
    {
        value = null;
        problem = Results.Empty;
        var text = request.Headers[header].FirstOrDefault() ?? request.Query[query].FirstOrDefault();
        if (text is null)
            return true;
        value = parse(text);
        if (value is null)
            problem = refuse(text);
        return value is not null;
    }

    /// <summary>Where a write landed in the replication log.</summary>
    public sealed record WriteAccepted(long Index, long Term);
}
