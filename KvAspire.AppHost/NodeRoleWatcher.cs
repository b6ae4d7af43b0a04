using System.Collections.Immutable;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>
/// Shows each node's Raft view in the dashboard: long-polls the node's <c>GET /cluster/changes</c>, which answers
/// as soon as the node's role, term or primary differs from the view last shown (or after ten seconds, which
/// refreshes the commit index), and publishes role, term, primary and commit index as highlighted resource
/// properties (the resource's details pane). A failover shows at once, with one request per node every ten
/// seconds in between, not two a second; an unchanged view publishes nothing. A node that cannot be reached is
/// asked again every 500 ms. Runs inside the AppHost, also under Aspire.Hosting.Testing.
/// </summary>
internal sealed class NodeRoleWatcher(
    IReadOnlyList<ProjectResource> nodes, ParameterResource password, ResourceNotificationService notifications, IHttpClientFactory clients)
    : BackgroundService
{
    public const string RoleProperty = "kv.role";
    public const string TermProperty = "kv.term";
    public const string PrimaryProperty = "kv.primary";
    public const string CommitIndexProperty = "kv.commitIndex";
    public const string Unreachable = "Unreachable";
    private const string HttpClientName = "kv-node-status";

    /// <summary>How soon a node that could not be reached is asked again.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);
    /// <summary>A long poll's wait on the node (10 s, KvAspire.Node's ClusterApi.ChangeWait) and then some.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(12);
    private static readonly string[] OwnProperties = [RoleProperty, TermProperty, PrimaryProperty, CommitIndexProperty];

    /// <summary>The role last published for the resource in <paramref name="snapshot"/>; null if none, or if the node was unreachable.</summary>
    public static Role? RoleOf(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == RoleProperty)?.Value is string name && Enum.TryParse<Role>(name, out var role)
            ? role
            : null;

    public static void AddTo(IDistributedApplicationBuilder builder, IEnumerable<IResourceBuilder<ProjectResource>> nodes, ParameterResource password)
    {
        // No request logging: a stopped node would log a failed request twice a second. Each node has its own loop, so a
        // node that hangs holds back only its own view, for one request timeout.
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = RequestTimeout).RemoveAllLoggers();
        var resources = nodes.Select(node => node.Resource).ToList();
        builder.Services.AddHostedService(sp => new NodeRoleWatcher(
            resources, password, sp.GetRequiredService<ResourceNotificationService>(), sp.GetRequiredService<IHttpClientFactory>()));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var client = clients.CreateClient(HttpClientName);
        // A node's /cluster needs the client password like any client request.
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await password.GetValueAsync(stoppingToken));
        try
        {
            await Task.WhenAll(nodes.Select(node => WatchAsync(node, client, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WatchAsync(ProjectResource node, HttpClient client, CancellationToken cancellationToken)
    {
        var endpoint = node.GetEndpoint("http");
        ClusterStatus? seen = null;
        ImmutableArray<ResourcePropertySnapshot> shown = default;
        while (!cancellationToken.IsCancellationRequested)
        {
            var path = seen is null ? ClusterChanges.Path() : ClusterChanges.Path(seen.Role, seen.Term, seen.Primary);
            seen = endpoint.IsAllocated ? await ReadAsync(client, new Uri(new Uri(endpoint.Url), path), cancellationToken) : null;
            var properties = Properties(seen);
            if (shown.IsDefault || !shown.SequenceEqual(properties))
            {
                shown = properties;
                await notifications.PublishUpdateAsync(node, snapshot => snapshot with
                {
                    Properties = [.. snapshot.Properties.Where(p => !OwnProperties.Contains(p.Name)), .. properties],
                });
            }
            if (seen is null)
                await Task.Delay(RetryInterval, cancellationToken);
        }
    }

    /// <summary>The node's <c>/cluster</c> answer; null when it cannot be reached.</summary>
    private static async Task<ClusterStatus?> ReadAsync(HttpClient client, Uri address, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetFromJsonAsync<ClusterStatus>(address, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                   && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The part of a node's <c>/cluster</c> answer shown in the dashboard; only the role, Unreachable, for a node
    /// that cannot be reached.</summary>
    private static ImmutableArray<ResourcePropertySnapshot> Properties(ClusterStatus? status) => status is null
        ? [Property(RoleProperty, "Role", Unreachable, 0)]
        :
        [
            Property(RoleProperty, "Role", status.Role.ToString(), 0),
            Property(TermProperty, "Term", status.Term.ToString(CultureInfo.InvariantCulture), 1),
            Property(PrimaryProperty, "Primary", status.Primary ?? "(none: election)", 2),
            Property(CommitIndexProperty, "Commit index", status.CommitIndex.ToString(CultureInfo.InvariantCulture), 3),
        ];

    private static ResourcePropertySnapshot Property(string name, string displayName, string value, int order) =>
        new(name, value) { DisplayName = displayName, IsHighlighted = true, SortOrder = order };
}
