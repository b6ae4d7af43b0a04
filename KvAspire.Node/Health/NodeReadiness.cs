using KvAspire.Node.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Health;

/// <summary>
/// Readiness that means something (<c>/health</c>; <c>/alive</c> stays "the process answers"): a node is
/// not ready while it is Syncing (catching up from the primary's snapshot: it has not got the data yet),
/// nor once it has known no primary for longer than an election timeout (a node cut off from the majority,
/// or a cluster that cannot elect: it can serve no client). A node that has just started gets that long
/// too, for the first election. Kubernetes keeps unready pods out of client Services, and the Aspire
/// dashboard shows the state; peers still find each other through the headless Service.
/// </summary>
public sealed class NodeReadiness(RaftHost host, IOptions<ClusterOptions> options, TimeProvider time) : BackgroundService, IHealthCheck
{
    public const string Name = "cluster";
    public const string Tag = "ready";

    private readonly TimeSpan _electionTimeout = options.Value.ElectionMax;
    /// <summary>When this node last stopped knowing a primary (its start, before the first election).</summary>
    private long _noPrimarySince = time.GetTimestamp();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = host.Status;
        var withoutPrimary = time.GetElapsedTime(Interlocked.Read(ref _noPrimarySince));
        return Task.FromResult(status switch
        {
            { State: ClusterState.Syncing } => HealthCheckResult.Unhealthy(
                $"{status.Node} is syncing from the primary's snapshot ({status.Sync?.Phase}); it serves nothing until it has caught up"),
            { Primary: null } when withoutPrimary > _electionTimeout => HealthCheckResult.Unhealthy(
                $"{status.Node} has known no primary for {withoutPrimary.TotalSeconds:0.#} s, longer than the election timeout " +
                $"({_electionTimeout.TotalSeconds:0.#} s): it is cut off from a majority, or no majority is up"),
            _ => HealthCheckResult.Healthy($"{status.Node} is {status.Role} in term {status.Term}; primary {status.Primary ?? "being elected"}"),
        });
    }

    /// <summary>Notes when the primary is lost, so a probe that comes seldom still measures the time without one
    /// exactly. Woken by role changes only, so it costs nothing per write.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var knew = false;
            while (true)
            {
                var changed = host.RoleChanged;
                var knows = host.Status.Primary is not null;
                if (knew && !knows)
                    Interlocked.Exchange(ref _noPrimarySince, time.GetTimestamp());
                knew = knows;
                await changed.WaitAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
