using KvAspire.Chaos.Cluster;
using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Linearizability;
using KvAspire.Chaos.Load;
using KvAspire.Chaos.Membership;
using KvAspire.Chaos.Report;

namespace KvAspire.Chaos;

/// <summary>
/// One chaos run: start the cluster, put it under load from HTTP and RESP clients, run the seeded fault schedule and,
/// beside it, the membership track (when there are spares), heal, read every key back, check the history and write the report, the history and the timeline plot to the
/// output folder. Every process it started is killed at the end, whatever happened.
/// </summary>
public sealed class ChaosRun(RunOptions options)
{
    private static readonly TimeSpan OpTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FinalReadTimeout = TimeSpan.FromSeconds(60);

    /// <returns>0 if the run passed, 1 if not.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Output);
        var settings = new ClusterSettings(options.Timing, options.Acknowledge, options.Spares, Path.GetFullPath(options.Output));
        settings.Validate();
        var schedule = FaultSchedule.Plan(options.Seed, options.Length, ChaosCluster.Founders, settings.ElectionTimeout);
        Console.WriteLine($"schedule for seed {options.Seed} ({options.Minutes} min, timing {options.Timing}): {schedule.Count} faults");
        foreach (var fault in schedule)
            Console.WriteLine($"  {fault}");
        var membership = MembershipPlan.Plan(options.Seed, options.Length, options.Spares);
        Console.WriteLine($"membership track ({options.Spares} spares: {string.Join(", ", ChaosCluster.SpareNames(options.Spares))}): {membership.Count} steps");
        foreach (var step in membership)
            Console.WriteLine($"  {step}");

        var started = DateTimeOffset.UtcNow;
        var history = new History();
        var faults = new List<FaultRecord>();
        var finalValues = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? aborted = null;
        var workload = new Workload(options.Keys, TimeSpan.FromSeconds(options.KeyGenerationSeconds));
        await using (var cluster = new ChaosCluster(settings))
        {
            try
            {
                Console.WriteLine($"starting 3 nodes and the gateway (logs in {options.Output})");
                await cluster.StartAsync(cancellationToken);
                var monitor = new ClusterMonitor(cluster, history);
                using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var load = Clients(cluster, workload, history).Select(c => c.RunAsync(stopLoad.Token)).Append(monitor.RunAsync(stopLoad.Token)).ToList();
                using var members = new MembershipDriver(cluster, history);
                var track = members.RunAsync(membership, options.Length - MembershipPlan.EndMargin, cancellationToken);
                aborted = await RunScheduleAsync(cluster, schedule, history, faults, cancellationToken);
                // Also after an abort: the track must not change members while the report is written. Its step under way,
                // if any, ends within its own bounds.
                await track;
                await stopLoad.CancelAsync();
                await Task.WhenAll(load);
                if (aborted is null)
                    await ReadBackAsync(cluster, workload, history, finalValues, cancellationToken);
                var check = Checker.Check(history.ForChecker());
                var report = ChaosReport.Build(options, started, history, check, finalValues, faults, membership.Count, members.Records,
                    monitor.Samples, aborted);
                Finish(report, history);
                return report.Passed ? 0 : 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine("interrupted: stopping every process this run started; no report");
                return 1;
            }
        }
    }

    private IEnumerable<Client> Clients(ChaosCluster cluster, Workload workload, History history)
    {
        // Every declared node: a client that finds one not started, or not a member, moves on or is sent to the primary.
        var respPorts = cluster.Nodes.Select(n => n.RespPort).ToArray();
        // Half the clients on each protocol; ids start at 1 (0 is the final reads); each draws its mix from the seed
        // (not HashCode.Combine, which is salted per process).
        return Enumerable.Range(1, options.Clients).Select(id => new Client(id,
            id % 2 == 0 ? new RespProtocol(respPorts, id, cluster.Password, OpTimeout) : new HttpProtocol(cluster.GatewayUrl, cluster.Password, OpTimeout),
            workload, history, unchecked(options.Seed * 1_000_003 + id)));
    }

    /// <summary>Every scheduled fault in order, each after its quiet time, then load until the run's length.</summary>
    /// <returns>Why the run stopped early, or null.</returns>
    private async Task<string?> RunScheduleAsync(ChaosCluster cluster, IReadOnlyList<ScheduledFault> schedule, History history,
        List<FaultRecord> faults, CancellationToken cancellationToken)
    {
        var injector = new FaultInjector(cluster, history);
        await Task.Delay(FaultSchedule.Warmup, cancellationToken);
        foreach (var fault in schedule)
        {
            await Task.Delay(fault.QuietBefore, cancellationToken);
            var record = await injector.RunAsync(fault, cancellationToken);
            faults.Add(record);
            Console.WriteLine($"  {history.Now() / 1e6,6:0.0} s  #{fault.Number} {record}");
            if (record.Healed is null)
                return $"the cluster did not heal within {ChaosCluster.HealTimeout.TotalSeconds:0} s after fault #{fault.Number}";
        }
        var left = options.Length - TimeSpan.FromMicroseconds(history.Now());
        if (left > TimeSpan.Zero)
            await Task.Delay(left, cancellationToken);
        return null;
    }

    /// <summary>Reads every key the load used, through the gateway, once the cluster has healed; each read goes into the
    /// history (client 0), so the checker also judges the final state.</summary>
    private static async Task ReadBackAsync(ChaosCluster cluster, Workload workload, History history, Dictionary<string, string?> values,
        CancellationToken cancellationToken)
    {
        await cluster.WaitHealedAsync(cancellationToken);
        await using var http = new HttpProtocol(cluster.GatewayUrl, cluster.Password, OpTimeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(FinalReadTimeout);
        foreach (var key in workload.KeysUntil(history.Now()))
        {
            while (true)
            {
                var call = history.Now();
                var answer = await http.RunAsync(OperationKind.Get, key, null, deadline.Token);
                history.Add(new Operation(0, key, OperationKind.Get, null, null, call, null), answer, http.Name);
                if (answer.Result == OpResult.Ok)
                {
                    values[key] = answer.Output;
                    break;
                }
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private void Finish(ChaosReport report, History history)
    {
        var ops = history.Ops;
        File.WriteAllLines(Path.Combine(options.Output, "history.jsonl"), history.ForChecker().Select(HistoryFile.Write));
        // Every operation with how it ended, refused ones included: what a failure's diagnosis starts from.
        File.WriteAllLines(Path.Combine(options.Output, "ops.jsonl"), ops.Select(o => System.Text.Json.JsonSerializer.Serialize(
            new { o.Via, result = o.Result.ToString(), o.Completed, o.Error, operation = HistoryFile.Write(o.Operation) })));
        ReportWriter.WriteJson(report, Path.Combine(options.Output, "report.json"));
        TimelinePlot.Draw(report, ops, Path.Combine(options.Output, "timeline.png"));
        ReportWriter.Print(report, Console.Out);
        Console.WriteLine($"report: {options.Output}/report.json, history: {options.Output}/history.jsonl (every operation: ops.jsonl), plot: {options.Output}/timeline.png");
    }
}
