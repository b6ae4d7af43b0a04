using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>
/// Dashboard commands that change members, on the node they concern: Add to cluster (as a learner), Promote to voter and
/// Remove from cluster. Each is sent to the primary's <c>/cluster/members</c> API (found through
/// <see cref="NodeRoleWatcher"/>'s published roles) with the admin secret, so the growth and shrinking of the cluster can
/// be watched live; the primary's refusal (a learner not caught up, a change under way) becomes the command's message.
/// </summary>
internal static class MembersCommands
{
    public const string Add = "kv-add-member";
    public const string Promote = "kv-promote-member";
    public const string Remove = "kv-remove-member";

    private const string HttpClientName = "kv-members-commands";

    /// <summary>A membership change answers once it commits, which takes at most the nodes' write timeout.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public static IResourceBuilder<ProjectResource> WithMembersCommands(this IResourceBuilder<ProjectResource> node, ParameterResource adminSecret)
    {
        node.ApplicationBuilder.Services.AddHttpClient(HttpClientName, client => client.Timeout = RequestTimeout);
        var name = node.Resource.Name;
        node.WithCommand(Add, "Add to cluster", context => SendAsync(context, adminSecret, HttpMethod.Post, "/cluster/members", new { id = name }),
            Options($"Add {name} to the cluster as a learner: it copies the log but does not vote until promoted", "PersonAdd"));
        node.WithCommand(Promote, "Promote to voter", context => SendAsync(context, adminSecret, HttpMethod.Post, $"/cluster/members/{name}/promote", null),
            Options($"Make {name} a voter, once it has caught up with the primary's log", "PersonStar"));
        node.WithCommand(Remove, "Remove from cluster", context => SendAsync(context, adminSecret, HttpMethod.Delete, $"/cluster/members/{name}", null),
            Options($"Remove {name} from the cluster (a primary hands over first)", "PersonDelete",
                $"Remove {name} from the cluster? It stops counting at once; stop it afterwards."));
        return node;
    }

    private static CommandOptions Options(string description, string icon, string? confirmation = null) => new()
    {
        Description = description,
        IconName = icon,
        ConfirmationMessage = confirmation,
        UpdateState = NodeCommands.WhenRunning,
    };

    private static async Task<ExecuteCommandResult> SendAsync(ExecuteCommandContext context, ParameterResource adminSecret, HttpMethod method,
        string path, object? body)
    {
        if (PrimaryOf(context.Services) is not { } primary)
            return CommandResults.Failure("no primary is known; wait for the election to end and retry");
        using var request = new HttpRequestMessage(method, new Uri(new Uri(primary.GetEndpoint("http").Url), path))
        {
            Content = body is null ? null : JsonContent.Create(body),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await adminSecret.GetValueAsync(context.CancellationToken));
        var client = context.Services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, context.CancellationToken);
            var message = await NodeCommands.MessageOfAsync(response, context.CancellationToken);
            return response.IsSuccessStatusCode
                ? CommandResults.Success(message ?? "done")
                : CommandResults.Failure($"{primary.Name} answered {(int)response.StatusCode} {response.ReasonPhrase}: {message}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return CommandResults.Failure($"{primary.Name} did not answer: {e.Message}");
        }
    }

    /// <summary>The node the dashboard shows as primary, if one is.</summary>
    private static ProjectResource? PrimaryOf(IServiceProvider services)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        return services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>()
            .FirstOrDefault(node => notifications.TryGetCurrentState(node.Name, out var state)
                && NodeRoleWatcher.RoleOf(state.Snapshot) == Role.Primary);
    }
}
