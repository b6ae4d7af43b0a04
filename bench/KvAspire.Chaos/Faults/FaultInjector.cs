using System.Globalization;
using KvAspire.Chaos.Cluster;
using KvAspire.Chaos.Load;

namespace KvAspire.Chaos.Faults;

/// <summary>Runs one scheduled fault against the cluster, lifts it, and waits for the cluster to heal.</summary>
public sealed class FaultInjector(ChaosCluster cluster, History history)
{
    /// <summary>Storage:FaultInjection's keys as a node reads them from its environment.</summary>
    private const string FsyncDelaySetting = "Storage__FaultInjection__FsyncDelay";
    private const string FailFsyncAfterSetting = "Storage__FaultInjection__FailFsyncAfter";
    /// <summary>NodeExitCodes.DiskFailed: how a node stops when an fsync fails.</summary>
    private const int DiskFailedExitCode = 74;
    /// <summary>On top of a failing disk's scheduled time: a node's start on a loaded machine takes seconds before its
    /// first fsync, and a fault that never took hold fails the run.</summary>
    private static readonly TimeSpan FailingDiskStartAllowance = TimeSpan.FromSeconds(20);

    public async Task<FaultRecord> RunAsync(ScheduledFault fault, CancellationToken cancellationToken)
    {
        var start = history.Now();
        string nodes = fault.Target;
        string? problem = null;
        try
        {
            // From a healed cluster, as the schedule promises: the gateway can be between views of the primary for a
            // moment (a 10-minute run once found none and skipped a fault).
            var view = (await cluster.WaitHealedAsync(cancellationToken)).PrimaryNode!;
            var primary = view.Node;
            var voters = new FaultTargets(primary, view.Voters, [.. cluster.Nodes.Select(n => n.Name)]);
            var target = voters.Resolve(fault.Target);
            nodes = voters.Describe(fault.Target, target);
            problem = await InjectAsync(fault, target, voters, n => nodes = n, () => start = history.Now(), cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TimeoutException
                                  || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            problem = e.Message;
            await RestartDownNodesAsync();
        }
        var lifted = history.Now();
        long? healed = null;
        try
        {
            await cluster.WaitHealedAsync(cancellationToken);
            healed = history.Now();
        }
        catch (TimeoutException e)
        {
            problem ??= e.Message;
        }
        return new FaultRecord(fault, nodes, start, lifted, healed, problem is null, problem);
    }

    /// <param name="inEffect">Called once the fault has taken hold (the process gone or stopped, the drill answered): the
    /// fault's start, from which unavailability is measured. On a loaded machine a signal can take tens of milliseconds to
    /// land, and writes acknowledged meanwhile would count as the cluster surviving the fault.</param>
    /// <returns>Null once injected and lifted; otherwise why the fault did not happen.</returns>
    private async Task<string?> InjectAsync(ScheduledFault fault, string target, FaultTargets voters, Action<string> describe, Action inEffect,
        CancellationToken cancellationToken)
    {
        var node = fault.Kind == FaultKind.ClusterRestart ? null : cluster.Node(target);
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                await cluster.KillAsync(node!);
                inEffect();
                await Task.Delay(fault.Duration, cancellationToken);
                cluster.StartNode(node!);
                return null;
            case FaultKind.Pause:
                await ChaosCluster.PauseAsync(node!, cancellationToken);
                inEffect();
                try
                {
                    await Task.Delay(fault.Duration, cancellationToken);
                }
                finally
                {
                    ChaosCluster.Resume(node!);
                }
                return null;
            case FaultKind.Isolate:
                await cluster.AdminAsync(node!, $"/admin/isolate?seconds={WholeSeconds(fault.Duration)}", cancellationToken);
                inEffect();
                await Task.Delay(TimeSpan.FromSeconds(WholeSeconds(fault.Duration)), cancellationToken);
                return null;
            case FaultKind.OneWayPartition:
                var to = voters.Peer(fault.Peer!, target);
                describe($"{voters.Describe(fault.Target, target)} -> {voters.Describe(fault.Peer!, to)}");
                await cluster.AdminAsync(node!, $"/admin/cut?to={to}&seconds={WholeSeconds(fault.Duration)}", cancellationToken);
                inEffect();
                await Task.Delay(TimeSpan.FromSeconds(WholeSeconds(fault.Duration)), cancellationToken);
                return null;
            case FaultKind.SlowDisk:
                await cluster.KillAsync(node!);
                inEffect();
                cluster.StartNode(node!, new Dictionary<string, string> { [FsyncDelaySetting] = fault.FsyncDelay!.Value.ToString("c", CultureInfo.InvariantCulture) });
                await Task.Delay(fault.Duration, cancellationToken);
                await cluster.KillAsync(node!);
                cluster.StartNode(node!);
                return null;
            case FaultKind.FailingDisk:
                await cluster.KillAsync(node!);
                inEffect();
                cluster.StartNode(node!, new Dictionary<string, string> { [FailFsyncAfterSetting] = fault.FailFsyncAfter!.Value.ToString(CultureInfo.InvariantCulture) });
                var code = await ChaosCluster.WaitExitAsync(node!, fault.Duration + FailingDiskStartAllowance, cancellationToken);
                if (code is null)
                    await cluster.KillAsync(node!);
                cluster.StartNode(node!);
                return code switch
                {
                    DiskFailedExitCode => null,
                    null => $"{target} did not stop within {(fault.Duration + FailingDiskStartAllowance).TotalSeconds:0.#} s: fewer than {fault.FailFsyncAfter} fsyncs",
                    _ => $"{target} stopped with exit code {code}, not {DiskFailedExitCode} (disk failed)",
                };
            case FaultKind.ClusterRestart:
                // Every node started so far, a removed one still running included; a spare the membership track starts
                // meanwhile is left alone.
                var running = cluster.Launched.ToList();
                describe($"all nodes ({string.Join(", ", running.Select(n => n.Name))})");
                await Task.WhenAll(running.Select(cluster.KillAsync));
                inEffect();
                await Task.Delay(fault.Duration, cancellationToken);
                foreach (var each in running)
                    cluster.StartNode(each);
                return null;
            case FaultKind.WipedNode:
                await cluster.KillAsync(node!);
                inEffect();
                Directory.Delete(node!.DataDirectory, recursive: true);
                await Task.Delay(fault.Duration, cancellationToken);
                cluster.StartNode(node);
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, "not a fault kind");
        }
    }

    /// <summary>A fault that went wrong halfway may have left a node down: it must not stay down for the next one.</summary>
    private async Task RestartDownNodesAsync()
    {
        foreach (var node in cluster.Launched)
        {
            if (node.Process is { HasExited: true })
                await cluster.KillAsync(node);
            if (node.Process is null)
                cluster.StartNode(node);
        }
    }

    private static int WholeSeconds(TimeSpan duration) => Math.Max(1, (int)Math.Round(duration.TotalSeconds));
}
