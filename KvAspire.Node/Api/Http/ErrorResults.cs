using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api.Http;

/// <summary>Error answers as HTTP results: the status code, and the <see cref="ApiError"/> problem every client parses.</summary>
public static class ErrorResults
{
    public static IResult BadRequest(string code, string detail) =>
        new ApiError(code, detail).ToProblem(StatusCodes.Status400BadRequest);

    public static IResult TooLarge(string detail) =>
        new ApiError("value_too_large", detail).ToProblem(StatusCodes.Status413PayloadTooLarge);

    /// <summary>421 Misdirected Request: "not primary", naming the primary so a client can go there.</summary>
    public static IResult NotPrimary(string? primary, long term) =>
        ApiError.NotPrimary(primary, term).ToProblem(StatusCodes.Status421MisdirectedRequest);

    public static IResult Unavailable(HttpResponse response, string code, string detail, long? term)
    {
        response.Headers.RetryAfter = "1";
        return new ApiError(code, detail, Term: term).ToProblem(StatusCodes.Status503ServiceUnavailable);
    }

    public static IResult Overloaded(HttpResponse response) => Unavailable(response, "overloaded",
        "the primary has more requests queued than it takes at once; nothing was done, retry shortly", null);

    /// <summary>Every write outcome other than success, as an HTTP answer.</summary>
    public static IResult From(WriteOutcome outcome, HttpResponse response) => outcome switch
    {
        WriteOutcome.NotPrimary n => NotPrimary(n.Primary, n.Term),
        WriteOutcome.PrimaryLost l => Unavailable(response, "leadership_lost",
            "the primary changed before the write was acknowledged; it may or may not have been applied", l.Term),
        WriteOutcome.TimedOut t => Unavailable(response, "timeout",
            $"the write was not acknowledged within {t.After.TotalSeconds:0.#} s (no quorum reachable?); it may still be applied", null),
        WriteOutcome.Overloaded => Overloaded(response),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "not an error outcome"),
    };
}
