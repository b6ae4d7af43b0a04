using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Dashboard commands on a node: Step down (enabled only while the node is primary), and — only when
/// the nodes' admin endpoints are on — Crash and Isolate for 30 s. Each one is an HTTP call from the
/// AppHost to the node's http endpoint; a non-2xx answer becomes a failed command carrying the node's
/// own error message. Each call carries the admin secret as its bearer token.
/// </summary>
internal static class NodeCommands
{
    public const string StepDown = "kv-step-down";
    public const string Crash = "kv-crash";
    public const string Isolate = "kv-isolate";
    public const int IsolationSeconds = 30;

    private const string HttpClientName = "kv-node-commands";
    private const string Endpoint = "http";

    /// <summary>Bounds a call to a hung node; the default command client would wait forever.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static IResourceBuilder<ProjectResource> WithNodeCommands(this IResourceBuilder<ProjectResource> node, bool adminEnabled,
        ParameterResource adminSecret)
    {
        node.ApplicationBuilder.Services.AddHttpClient(HttpClientName, client => client.Timeout = RequestTimeout);
        // Leader transfer lives on the cluster API, not behind Admin:Enabled: it is a maintenance step, not a failure drill.
        node.WithHttpCommand("/cluster/step-down", "Step down", Endpoint, StepDown, Options(adminSecret,
            "Hand the primary role to another node (leader transfer), e.g. before maintenance",
            "ArrowSwap", WhenPrimary));
        if (!adminEnabled)
            return node;

        node.WithEnvironment("Admin__Enabled", "true");
        node.WithHttpCommand("/admin/crash", "Crash", Endpoint, Crash, Options(adminSecret,
            "Kill the node's process as kill -9 would (no shutdown, no flush)", "Flash", WhenRunning,
            confirmation: $"Kill {node.Resource.Name} as kill -9 would? Start it again with the Start command."));
        var isolate = Options(adminSecret, $"Drop all peer traffic for {IsolationSeconds} s, then heal by itself (a network partition)",
            "PlugDisconnected", WhenRunning, query: $"seconds={IsolationSeconds}");
        node.WithHttpCommand("/admin/isolate", $"Isolate for {IsolationSeconds} s", Endpoint, Isolate, isolate);
        return node;
    }

    private static HttpCommandOptions Options(ParameterResource adminSecret, string description, string icon,
        Func<UpdateCommandStateContext, ResourceCommandState> updateState, string? confirmation = null, string? query = null) => new()
        {
            Description = description,
            IconName = icon,
            ConfirmationMessage = confirmation,
            UpdateState = updateState,
            HttpClientName = HttpClientName,
            PrepareRequest = async context =>
            {
                context.Request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                    await adminSecret.GetValueAsync(context.CancellationToken));
                if (query is not null)
                    context.Request.RequestUri = new UriBuilder(context.Request.RequestUri!) { Query = query }.Uri;
            },
            GetCommandResult = ResultAsync,
        };

    internal static ResourceCommandState WhenRunning(UpdateCommandStateContext context) =>
        IsRunning(context.ResourceSnapshot) ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    /// <summary>Step down only makes sense on the primary; the role comes from <see cref="NodeRoleWatcher"/>.</summary>
    private static ResourceCommandState WhenPrimary(UpdateCommandStateContext context) =>
        IsRunning(context.ResourceSnapshot) && NodeRoleWatcher.RoleOf(context.ResourceSnapshot) == Role.Primary
            ? ResourceCommandState.Enabled
            : ResourceCommandState.Disabled;

    internal static bool IsRunning(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text is { } state && (state == KnownResourceStates.Running || state == KnownResourceStates.RuntimeUnhealthy);

    /// <summary>2xx is success with the node's message; anything else fails with the status and the node's error message.</summary>
    private static async Task<ExecuteCommandResult> ResultAsync(HttpCommandResultContext context)
    {
        var response = context.Response;
        var message = await MessageOfAsync(response, context.CancellationToken);
        if (response.IsSuccessStatusCode)
            return CommandResults.Success(message ?? $"{context.ResourceName}: done");
        var status = $"{context.ResourceName} answered {(int)response.StatusCode} {response.ReasonPhrase}";
        return CommandResults.Failure(message is not null ? $"{status}: {message}"
            : response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed
                ? $"{status}: this node has no such endpoint (not in this build)"
                : status);
    }

    /// <summary>The sentence of the node's JSON answer, if it sent one: an error problem's <c>detail</c>, a success's <c>message</c>.</summary>
    internal static async Task<string?> MessageOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                   && (json.RootElement.TryGetProperty("detail", out var text) || json.RootElement.TryGetProperty("message", out text))
                   && text.ValueKind == JsonValueKind.String
                ? text.GetString()
                : null;
        }
        catch (JsonException)
        {
            return string.IsNullOrWhiteSpace(body) ? null : body.Trim();
        }
    }
}
