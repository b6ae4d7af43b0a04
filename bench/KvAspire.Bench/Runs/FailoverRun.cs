using System.Diagnostics;
using System.Globalization;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Http;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Failover as a client sees it: steady PUT load through the gateway, kill -9 of the primary's process,
/// then the unavailability window — from the last write that succeeded before the kill to the first
/// write sent after the kill that succeeded. The killed node is relaunched and caught up before the
/// next round, so one cluster start serves every round.
/// </summary>
public sealed class FailoverRun(Args args, ResultLog results)
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);
    private readonly string _gateway = args.Text("gateway", "http://localhost:5080");
    private readonly string? _password = args.Password();
    private readonly int _rounds = args.Int("rounds", 3);
    private readonly int _clients = args.Int("clients", 4);
    private readonly TimeSpan _warmup = args.Seconds("warmup", 3);
    private readonly TimeSpan _after = args.Seconds("after", 2);
    private readonly TimeSpan _timeout = args.Seconds("timeout", 1);
    private readonly string _label = args.Text("label", "failover");
    private readonly string _out = args.Text("out", "failover");

    private sealed record Outcome(long KillToFirstMs, long WindowMs, long Errors, long Ok);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var control = HttpLoad.NewClient(4, TimeSpan.FromSeconds(2), _password);
        var relaunched = new List<Process>();
        try
        {
            for (var round = 1; round <= _rounds; round++)
            {
                var view = await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "3 nodes caught up", CatchUpTimeout,
                    cancellationToken);
                var outcome = await RoundAsync(round, view, control, relaunched, cancellationToken);
                results.Write(new()
                {
                    ["kind"] = "failover", ["label"] = _label, ["round"] = round,
                    ["kill_to_first_success_ms"] = outcome.KillToFirstMs, ["window_ms"] = outcome.WindowMs,
                    ["errors"] = outcome.Errors, ["ok"] = outcome.Ok,
                });
            }
            await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "3 nodes caught up", CatchUpTimeout, cancellationToken);
        }
        finally
        {
            foreach (var process in relaunched)
                await NodeProcess.StopAsync(process, TimeSpan.FromSeconds(15));
        }
    }

    private async Task<Outcome> RoundAsync(int round, ClusterView view, HttpClient control, List<Process> relaunched,
        CancellationToken cancellationToken)
    {
        var primary = view.PrimaryNode!;
        var victim = NodeProcess.Read(primary.ProcessId);
        using var client = HttpLoad.NewClient(_clients, _timeout, _password);
        var requests = HttpRequests.For(HttpApi.Kv, _gateway, 64);
        var timeline = new Timeline(TimeSpan.FromMilliseconds(100), _warmup + RecoveryTimeout + _after);
        var writers = new FailoverWriters(client, requests, timeline, _clients);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = writers.RunAsync(stop.Token);

        await Task.Delay(_warmup, cancellationToken);
        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        var firstAfter = await writers.WaitForSuccessSentAfterAsync(killedAt, RecoveryTimeout, cancellationToken);
        await Task.Delay(_after, cancellationToken);
        await stop.CancelAsync();
        var histogram = await load;

        var lastBefore = writers.LastSuccessBefore(killedAt);
        var outcome = new Outcome(Ms(firstAfter - killedAt), Ms(firstAfter - lastBefore), writers.Errors, histogram.TotalCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_label} round {round}: killed {primary.Node} (pid {primary.ProcessId}); kill -> first success {outcome.KillToFirstMs} ms; "
            + $"last success before -> first after {outcome.WindowMs} ms; {outcome.Ok:N0} ok, {outcome.Errors:N0} failed; PUT {histogram.Summary()}"));
        timeline.WriteCsv($"{_out}-round{round}-timeline.csv", killedAt, _warmup + TimeSpan.FromMilliseconds(outcome.KillToFirstMs) + _after);
        histogram.WritePercentileCsv($"{_out}-round{round}-latency.csv");

        relaunched.Add(victim.Relaunch($"{_out}-{primary.Node}-relaunch.log"));
        Console.Error.WriteLine($"  [{_label}] relaunched {primary.Node}; waiting for it to catch up");
        return outcome;
    }

    private static long Ms(long stopwatchTicks) => stopwatchTicks * 1000 / Stopwatch.Frequency;
}
