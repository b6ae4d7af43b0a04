using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Api.Http;

/// <summary>
/// <c>GET /cluster</c>: this node's view (<see cref="ClusterStatus"/>) — role, term, primary, indexes, per-peer lag, process id.
/// <c>GET /cluster/changes?role=..&amp;term=..&amp;primary=..[&amp;wait=ms]</c> (<see cref="ClusterChanges"/>): the same view, once
/// it differs in role, term or primary from the one the caller last saw, or after <c>wait</c> milliseconds (default
/// <see cref="ChangeWait"/>): a long poll, so a watcher of roles learns of a change at once without polling many times a
/// second. The gateway waits less, since a node that does not answer within its wait is how it notices a hung one.
/// <c>POST /cluster/step-down[?to=node2]</c>: on the primary, hand the primary role over (leader transfer in Raft's words).
/// Step-down changes the cluster, so it needs the admin secret, though not <c>Admin:Enabled</c>:
/// it is a maintenance step, not a failure drill.
/// </summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cluster", (RaftHost host) => TypedResults.Ok(host.Status));
        app.MapGet("/cluster/changes", ChangesAsync);
        app.MapPost("/cluster/step-down", StepDownAsync).RequireAuthorization(ClientAuthentication.AdminPolicy);
        return app;
    }

    /// <summary>How long a long poll of <c>/cluster/changes</c> waits for a change before answering with the unchanged view.</summary>
    public static readonly TimeSpan ChangeWait = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>wait</c> a caller may ask for: proxies and load balancers close idle requests after about a minute.</summary>
    public static readonly TimeSpan MaxChangeWait = TimeSpan.FromSeconds(60);

    private static async Task<IResult> ChangesAsync(Role? role, long? term, string? primary,
        int? wait, RaftHost host, CancellationToken cancellationToken)
    {
        if (wait is < 0 || wait > MaxChangeWait.TotalMilliseconds)
            return ErrorResults.BadRequest("invalid_wait", $"wait must be between 0 and {MaxChangeWait.TotalMilliseconds:0} milliseconds");
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waiting.CancelAfter(wait is { } ms ? TimeSpan.FromMilliseconds(ms) : ChangeWait);
        try
        {
            while (true)
            {
                // Taken before the status is read, so a change between the two still ends the wait.
                var changed = host.RoleChanged;
                var status = host.Status;
                if (status.Role != role || status.Term != term || status.Primary != (string.IsNullOrEmpty(primary) ? null : primary))
                    return TypedResults.Ok(status);
                await changed.WaitAsync(waiting.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Ok(host.Status);
        }
    }

    /// <summary>200 with the new primary once it is known; 409 if this node is not primary or the target never
    /// caught up; 400 for an unknown target; 202 if no new primary was known within two election timeouts.</summary>
    private static async Task<IResult> StepDownAsync(string? to, RaftHost host, IOptions<ClusterOptions> options,
        CancellationToken cancellationToken)
    {
        var wait = 2 * options.Value.ElectionMax;
        return await host.StepDownAsync(string.IsNullOrEmpty(to) ? null : to, wait, cancellationToken) switch
        {
            StepDownOutcome.Transferred t => TypedResults.Ok(new StepDownResult(t.Primary, t.Term,
                $"{options.Value.NodeId} handed the primary role to {t.Primary}, primary of term {t.Term}")),
            StepDownOutcome.NotPrimary n => new ApiError("not_primary",
                "only the primary can step down" + (n.Primary is null ? "" : $"; the primary is {n.Primary}"), n.Primary, n.Term)
                .ToProblem(StatusCodes.Status409Conflict),
            StepDownOutcome.UnknownTarget u => ErrorResults.BadRequest("unknown_target", $"'{u.Target}' is not another member of the cluster"),
            StepDownOutcome.Abandoned a => new ApiError("transfer_failed",
                $"{a.Target} did not catch up and take over within an election timeout; this node is still primary", Term: a.Term)
                .ToProblem(StatusCodes.Status409Conflict),
            // Not a failure, but not done either: the same body as one, so a caller reads the outcome the same way.
            StepDownOutcome.Pending p => new ApiError("transfer_pending",
                $"no new primary known after {p.After.TotalSeconds:0.#} s; check GET /cluster").ToProblem(StatusCodes.Status202Accepted),
            var other => throw new InvalidOperationException($"Unexpected step-down outcome {other}."),
        };
    }

    /// <param name="Message">For people (the dashboard's notification shows it): who leads now, in which term.</param>
    public sealed record StepDownResult(string Primary, long Term, string Message);
}
