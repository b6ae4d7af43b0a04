using KvAspire.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace KvAspire.Http;

/// <summary>
/// An <see cref="ApiError"/> as the RFC 9457 problem the node and the gateway answer with. The problem's type and title
/// are the HTTP status's own (ASP.NET Core's RFC 9110 links; <c>about:blank</c> with the reason phrase for a status it
/// has none for, as RFC 9457 section 4.2.1 allows), so the status says what kind of problem it is and the
/// <c>error</c> extension says which one.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult ToProblem(this ApiError error, int statusCode)
    {
        var result = TypedResults.Problem(detail: error.Detail, statusCode: statusCode,
            title: ReasonPhrases.GetReasonPhrase(statusCode), extensions: error.Extensions());
        result.ProblemDetails.Type ??= "about:blank";
        return result;
    }

    /// <summary>Answers <paramref name="error"/> from a middleware, outside any endpoint.</summary>
    public static Task WriteProblemAsync(this HttpContext context, int statusCode, ApiError error) =>
        error.ToProblem(statusCode).ExecuteAsync(context);
}
