using System.Net;
using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace KvAspire.Gateway;

/// <summary>
/// The proxy pipeline for <c>/kv</c>: a command goes only to the tracked primary; with no primary the
/// client gets 503 + <c>Retry-After</c>; a 421 from a node that is no longer primary is re-sent once
/// to the primary it names. Re-sending is safe because a node that answers 421 has executed nothing, and
/// so is re-sending a request whose connection was refused (a primary that just died): it never left.
/// A request that reached a node which then failed to answer gets 502 <c>outcome_unknown</c>, never an
/// empty body: a write may or may not have been applied.
/// </summary>
public static class PrimaryRouting
{
    private const int InMemoryBodyBytes = 64 * 1024;
    private static readonly object RefusalKey = new();

    private sealed record Refusal(string Responder, byte[] Body, string? ContentType);

    public static void UsePrimaryRouting(this IReverseProxyApplicationBuilder pipeline)
    {
        pipeline.Use(ResendRefusedAsync);
        pipeline.UseLoadBalancing();
        pipeline.Use(RequirePrimaryAsync);
    }

    /// <summary>
    /// Response transform: holds back a node's 421 (and feeds its hint to the tracker) so
    /// <see cref="ResendRefusedAsync"/> can decide what the client sees.
    /// </summary>
    public static async ValueTask CaptureRefusalAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { StatusCode: HttpStatusCode.MisdirectedRequest } response
            || context.HttpContext.GetReverseProxyFeature().ProxiedDestination is not { } responder)
        {
            return;
        }
        var body = await response.Content.ReadAsByteArrayAsync(context.CancellationToken);
        var (primary, term) = ReadHint(body);
        context.HttpContext.RequestServices.GetRequiredService<PrimaryTracker>()
            .ObserveNotPrimary(responder.DestinationId, primary, term);
        context.HttpContext.Items[RefusalKey] =
            new Refusal(responder.DestinationId, body, response.Content.Headers.ContentType?.ToString());
        context.SuppressResponseBody = true;
    }

    public static Task WriteNoPrimaryAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return context.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, new ApiError("no_primary",
            "no primary is known right now (an election is under way); nothing was sent to a node, retry shortly"));
    }

    private static async Task ResendRefusedAsync(HttpContext context, Func<Task> next)
    {
        var tracker = context.RequestServices.GetRequiredService<PrimaryTracker>();
        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        var canResend = BufferBody(context, context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value);

        await next();
        if (TakeForwardingError(context) is { } failed)
        {
            await AnswerForwardingErrorAsync(context, next, failed, tracker, destinations, canResend);
            return;
        }
        if (TakeRefusal(context) is not { } refusal)
        {
            return;
        }
        if (canResend && tracker.Primary is { } primary && primary != refusal.Responder
            && !context.RequestAborted.IsCancellationRequested)
        {
            Log.ResendingToPrimary(context.RequestServices.GetRequiredService<ILogger<PrimaryTracker>>(),
                refusal.Responder, context.Request.Method, context.Request.Path, primary);
            await ResendAsync(context, next, destinations);
            if (TakeRefusal(context) is not { } second)
            {
                return;
            }
            refusal = second;
        }

        context.Response.Clear();
        if (tracker.Primary is null)
        {
            await WriteNoPrimaryAsync(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
        context.Response.ContentType = refusal.ContentType;
        await context.Response.Body.WriteAsync(refusal.Body, context.RequestAborted);
    }

    /// <summary>
    /// YARP could not forward to <paramref name="failed"/> and has set a bare 502. A connection that was never
    /// made means the node is down: the tracker stops routing to it at once, and the request goes to the new
    /// primary if one is already known, else 503 <c>no_primary</c>. Anything else may have reached the node.
    /// </summary>
    private static async Task AnswerForwardingErrorAsync(HttpContext context, Func<Task> next, (string Destination, bool NeverSent) failed,
        PrimaryTracker tracker, IReadOnlyList<DestinationState> destinations, bool canResend)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.Clear();
        if (!failed.NeverSent)
        {
            await WriteOutcomeUnknownAsync(context, failed.Destination);
            return;
        }
        tracker.ObserveUnreachable(failed.Destination);
        if (canResend && tracker.Primary is { } primary && primary != failed.Destination && !context.RequestAborted.IsCancellationRequested)
        {
            await ResendAsync(context, next, destinations);
            if (TakeForwardingError(context) is not { } again)
            {
                return;
            }
            context.Response.Clear();
            // The re-sent request may have reached the new primary before it failed in turn.
            if (!again.NeverSent)
            {
                await WriteOutcomeUnknownAsync(context, again.Destination);
                return;
            }
        }
        await WriteNoPrimaryAsync(context);
    }

    private static Task WriteOutcomeUnknownAsync(HttpContext context, string destination) =>
        context.WriteProblemAsync(StatusCodes.Status502BadGateway, new ApiError("outcome_unknown",
            $"{destination} failed before it answered; a write may or may not have been applied: read it back before retrying"));

    /// <summary>
    /// Whether a refused connection proves that <paramref name="request"/> reached no node. Not for a write without a
    /// body (DELETE): SocketsHttpHandler sends such a request again, on a new connection, when its pooled connection
    /// closes before any byte of the answer, which is what a node killed after reading it looks like; the re-send to the
    /// dead node is then refused although the first one may have been applied (the chaos suite found such DELETEs
    /// answered 503 no_primary and applied). A request with a body is not sent again, and a read changes nothing.
    /// </summary>
    public static bool RefusedConnectionProvesNotSent(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
        || request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>Sends the request once more, from the start of its buffered body, to the destinations it had.</summary>
    private static Task ResendAsync(HttpContext context, Func<Task> next, IReadOnlyList<DestinationState> destinations)
    {
        context.Response.Clear();
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }
        context.GetReverseProxyFeature().AvailableDestinations = destinations;
        return next();
    }

    /// <summary>The destination YARP failed to forward to, and whether the request never left (no connection was made).</summary>
    private static (string Destination, bool NeverSent)? TakeForwardingError(HttpContext context)
    {
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error)
        {
            return null;
        }
        context.Features.Set<IForwarderErrorFeature>(null);
        var destination = context.GetReverseProxyFeature().ProxiedDestination?.DestinationId ?? "the primary";
        Log.ForwardingFailed(context.RequestServices.GetRequiredService<ILogger<PrimaryTracker>>(), context.Request.Method,
            context.Request.Path, destination, error.Error.ToString(), error.Exception?.Message);
        var neverSent = error.Error == ForwarderError.Request && IsConnectionFailure(error.Exception)
            && RefusedConnectionProvesNotSent(context.Request);
        return (destination, neverSent);
    }

    private static bool IsConnectionFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                or System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }
        return false;
    }

    private static Task RequirePrimaryAsync(HttpContext context, Func<Task> next)
    {
        // YARP skips the load-balancing policy when a single destination is available (a one-node
        // cluster), so the pick is checked here as well.
        var chosen = context.GetReverseProxyFeature().AvailableDestinations;
        var primary = context.RequestServices.GetRequiredService<PrimaryTracker>().Primary;
        return chosen.Count == 1 && chosen[0].DestinationId == primary ? next() : WriteNoPrimaryAsync(context);
    }

    /// <summary>
    /// Makes the body replayable when it fits the limit; a bodyless request needs nothing. Bodies of
    /// unknown length (chunked) or over the limit are streamed, and their 421 goes to the client.
    /// </summary>
    private static bool BufferBody(HttpContext context, GatewayOptions options)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return true;
        }
        if (context.Request.ContentLength is not { } length || length > options.MaxRetriedBodyBytes)
        {
            return false;
        }
        context.Request.EnableBuffering(InMemoryBodyBytes, options.MaxRetriedBodyBytes);
        return true;
    }

    private static Refusal? TakeRefusal(HttpContext context)
    {
        if (context.Items.Remove(RefusalKey, out var value))
        {
            return (Refusal?)value;
        }
        return null;
    }

    /// <summary>The primary and term a node's <see cref="ApiError.NotPrimary"/> names; tolerant of any other body.</summary>
    private static (string? Primary, long Term) ReadHint(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiError>(body, JsonSerializerOptions.Web) is { } refusal
                ? (refusal.Primary, refusal.Term ?? 0)
                : (null, 0);
        }
        catch (JsonException)
        {
            return (null, 0);
        }
    }
}
