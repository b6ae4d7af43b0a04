using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KvAspire.Chaos.Linearizability;
using KvAspire.Contracts;

namespace KvAspire.Chaos.Load;

/// <summary>
/// The key API through the gateway. An answer the store gives when it did nothing (421 not_primary, 503 no_primary,
/// overloaded or not_ready, any other 4xx) is a failure; 503 leadership_lost or timeout, 502 outcome_unknown, any other
/// 5xx, a timeout or a broken connection leave a write's outcome unknown.
/// </summary>
public sealed class HttpProtocol(string gatewayUrl, string password, TimeSpan timeout) : IKvProtocol
{
    private static readonly HashSet<string> NothingDone = new(StringComparer.Ordinal) { "not_primary", "no_primary", "overloaded", "not_ready" };
    private readonly HttpClient _client = Cluster.ChaosCluster.NewClient(timeout, password);

    public string Name => "http";

    public async Task<Answer> RunAsync(OperationKind kind, string key, string? value, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(kind switch
        {
            OperationKind.Get => HttpMethod.Get,
            OperationKind.Delete => HttpMethod.Delete,
            _ => HttpMethod.Put,
        }, $"{gatewayUrl}/kv/{Uri.EscapeDataString(key)}");
        if (value is not null)
            request.Content = new StringContent(value, Encoding.UTF8, "text/plain");
        if (kind == OperationKind.PutIfAbsent)
            request.Headers.IfNoneMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Any);
        try
        {
            using var response = await _client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return Interpret(kind, response.StatusCode, body);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            // SocketsHttpHandler sends a request without a body again after its pooled connection closed unanswered, so
            // for a DELETE a refused connection may follow one that arrived (the gateway's own bug of this kind).
            return kind == OperationKind.Delete ? Answer.Indeterminate("gateway refused the connection") : Answer.Failed("gateway refused the connection");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Answer.Indeterminate(e is TaskCanceledException ? "timeout" : e.Message);
        }
    }

    internal static Answer Interpret(OperationKind kind, HttpStatusCode status, string body) => (kind, status) switch
    {
        (OperationKind.Get, HttpStatusCode.OK) => Answer.Ok(body),
        (OperationKind.Get, HttpStatusCode.NotFound) => Answer.Ok(null),
        (OperationKind.Put, HttpStatusCode.OK) => Answer.Ok(),
        (OperationKind.Delete, HttpStatusCode.OK) => Answer.Ok("true"),
        (OperationKind.Delete, HttpStatusCode.NotFound) => Answer.Ok("false"),
        (OperationKind.PutIfAbsent, HttpStatusCode.OK) => Answer.Ok("true"),
        (OperationKind.PutIfAbsent, HttpStatusCode.PreconditionFailed) => Answer.Ok("false"),
        _ => Refusal(kind, status, ErrorCode(body)),
    };

    private static Answer Refusal(OperationKind kind, HttpStatusCode status, string? code)
    {
        var error = $"{(int)status} {code}";
        if (kind == OperationKind.Get || (int)status < 500 || code is not null && NothingDone.Contains(code))
            return Answer.Failed(error);
        return Answer.Indeterminate(error);
    }

    /// <summary>The <c>error</c> code of a problem body (an <see cref="ApiError"/>), or null for any other body.</summary>
    internal static string? ErrorCode(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiError>(body, JsonSerializerOptions.Web)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
