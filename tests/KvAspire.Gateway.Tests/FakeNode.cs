using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using KvAspire.Contracts;
using KvAspire.Http;
using KvAspire.Node.Consensus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KvAspire.Gateway.Tests;

/// <summary>
/// A stand-in for a KvAspire node on a real socket: <c>/cluster</c> (and its long poll <c>/cluster/changes</c>) reports what the test sets, and
/// <c>/kv</c> and the admin API <c>/cluster/members</c> either accept (as primary) or refuse with 421 without reading the body, as a
/// node does. Every path is served under <c>/{name}</c> too, so one template (<c>http://127.0.0.1:port/{id}</c>) reaches it by name.
/// </summary>
internal sealed class FakeNode : IAsyncDisposable
{
    private readonly WebApplication app;
    private bool disposed;

    private FakeNode(string name, WebApplication app)
    {
        Name = name;
        this.app = app;
    }

    public string Name { get; }
    public Role Role { get; set; } = Role.Secondary;
    public long Term { get; set; } = 1;
    public string? KnownPrimary { get; set; }
    public ConcurrentQueue<(string Method, string Key, byte[] Body)> Accepted { get; } = new();
    public ConcurrentQueue<string> Refused { get; } = new();

    /// <summary>The admin requests accepted: method, path and Authorization header.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Authorization)> AdminRequests { get; } = new();

    /// <summary>The configuration the node reports following (docs/membership.md).</summary>
    public IReadOnlyList<string> Voters { get; set; } = [];
    public IReadOnlyList<string> Learners { get; set; } = [];
    public bool MembershipChanging { get; set; }

    /// <summary>When set, a long poll of /cluster/changes answers only when its wait runs out, as if the news of a change were
    /// still on its way: the gateway then learns of it only from a forwarded request's 421.</summary>
    public bool HoldChanges { get; set; }

    /// <summary>When set, a /kv request is read and then its connection dropped unanswered, as by a node that dies mid-request.</summary>
    public bool DropRequests { get; set; }
    public Uri Address { get; private set; } = null!;

    /// <summary>When set, /cluster and /kv answer 401 unless the request carries this bearer token, as a node with Auth:Password does.</summary>
    public string? RequiredToken { get; set; }

    public static async Task<FakeNode> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var node = new FakeNode(name, app);
        app.UsePathBase("/" + name);
        app.UseRouting(); // after the path base, so routes match without it
        app.Use((context, next) =>
        {
            if (node.RequiredToken is null || context.Request.Headers.Authorization == $"Bearer {node.RequiredToken}")
            {
                return next(context);
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        });
        app.MapGet("/cluster", () => Results.Json(node.Report(), JsonSerializerOptions.Web));
        app.MapGet("/cluster/changes", async (Role? role, long? term, string? primary, int? wait, CancellationToken cancellationToken) =>
        {
            // A long poll, as a node answers it: once the view differs from the caller's, or when its wait runs out.
            var deadline = Stopwatch.StartNew();
            while ((node.HoldChanges || role == node.Role && term == node.Term && (string.IsNullOrEmpty(primary) ? null : primary) == node.KnownPrimary)
                   && deadline.ElapsedMilliseconds < (wait ?? 10_000))
            {
                await Task.Delay(10, cancellationToken);
            }
            return Results.Json(node.Report(), JsonSerializerOptions.Web);
        });
        app.Map("/kv/{**key}", async (HttpContext context, string key) =>
        {
            if (node.Role != Role.Primary)
            {
                node.Refused.Enqueue(key);
                return ApiError.NotPrimary(node.KnownPrimary, node.Term).ToProblem(StatusCodes.Status421MisdirectedRequest);
            }
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (node.DropRequests)
            {
                context.Abort();
                return Results.Empty;
            }
            node.Accepted.Enqueue((context.Request.Method, key, body.ToArray()));
            return Results.Json(new { index = node.Accepted.Count, term = node.Term, node = name });
        });
        app.Map("/cluster/members/{**rest}", (HttpContext context) =>
        {
            if (node.Role != Role.Primary)
            {
                node.Refused.Enqueue(context.Request.Path);
                return ApiError.NotPrimary(node.KnownPrimary, node.Term).ToProblem(StatusCodes.Status421MisdirectedRequest);
            }
            node.AdminRequests.Enqueue((context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.ToString()));
            return Results.Json(new { node = name });
        });
        await app.StartAsync();
        node.Address = new Uri(app.Urls.First());
        return node;
    }

    private ClusterStatus Report() => NodeReport.Of(Name, Role, Term, KnownPrimary, Voters, Learners, MembershipChanging);

    public void BecomePrimary(long term)
    {
        Role = Role.Primary;
        Term = term;
        KnownPrimary = Name;
    }

    public void Follow(FakeNode primary)
    {
        Role = Role.Secondary;
        Term = primary.Term;
        KnownPrimary = primary.Name;
    }

    public async ValueTask DisposeAsync()
    {
        if (!disposed)
        {
            disposed = true;
            await app.DisposeAsync();
        }
    }
}
