using System.Diagnostics;
using System.Globalization;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Http;
using StackExchange.Redis;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Failover as a StackExchange.Redis application with default options sees it (every node's RESP
/// endpoint and the password, nothing else): a SET is started every few milliseconds, the primary is
/// killed, and the round reports the longest gap between two successful writes, the time from the kill
/// to the first success, and the time from the new primary's election (as /cluster first shows it) to
/// the first write started after it that succeeded. The killed node is relaunched before the next round.
/// </summary>
public sealed class RespFailoverRun(Args args, ResultLog results)
{
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(5);
    private readonly string _gateway = args.Text("gateway", "http://localhost:5080");
    private readonly string? _password = args.Password();
    private readonly int _rounds = args.Int("rounds", 3);
    private readonly TimeSpan _warmup = args.Seconds("warmup", 3);
    private readonly TimeSpan _after = args.Seconds("after", 2);
    private readonly string _label = args.Text("label", "resp-failover");
    private readonly string _out = args.Text("out", "resp-failover");

    private sealed record Outcome(string Killed, string Elected, long LongestGapMs, long KillToFirstMs, long ElectionToFirstMs, long Errors, long Ok);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var control = HttpLoad.NewClient(4, TimeSpan.FromSeconds(2), _password);
        var relaunched = new List<Process>();
        try
        {
            for (var round = 1; round <= _rounds; round++)
            {
                var view = await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "3 nodes caught up", CatchUpTimeout, cancellationToken);
                var outcome = await RoundAsync(view, control, relaunched, cancellationToken);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{_label} round {round}: killed {outcome.Killed}, {outcome.Elected} elected; longest write gap {outcome.LongestGapMs} ms; "
                    + $"kill -> first success {outcome.KillToFirstMs} ms; election seen -> first success {outcome.ElectionToFirstMs} ms; "
                    + $"{outcome.Ok:N0} ok, {outcome.Errors:N0} failed"));
                results.Write(new()
                {
                    ["kind"] = "resp-failover", ["label"] = _label, ["round"] = round, ["longest_gap_ms"] = outcome.LongestGapMs,
                    ["kill_to_first_success_ms"] = outcome.KillToFirstMs, ["election_to_first_success_ms"] = outcome.ElectionToFirstMs,
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

    private async Task<Outcome> RoundAsync(ClusterView view, HttpClient control, List<Process> relaunched, CancellationToken cancellationToken)
    {
        var primary = view.PrimaryNode!;
        var victim = NodeProcess.Read(primary.ProcessId);
        var options = new ConfigurationOptions { Password = _password };
        foreach (var node in view.Nodes)
            options.EndPoints.Add("localhost", NodeProcess.Read(node.ProcessId).RespPort);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var writes = new Writes();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = writes.RunAsync(redis.GetDatabase(), WriteInterval, stop.Token);

        await Task.Delay(_warmup, cancellationToken);
        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        var elected = await ClusterView.WaitAsync(control, _gateway, v => v.PrimaryNode is { } p && p.Node != primary.Node,
            "a new primary", RecoveryTimeout, cancellationToken);
        var electedAt = Stopwatch.GetTimestamp();
        var firstAfterElection = await writes.WaitForSuccessStartedAfterAsync(electedAt, RecoveryTimeout, cancellationToken);
        await Task.Delay(_after, cancellationToken);
        await stop.CancelAsync();
        await load;

        relaunched.Add(victim.Relaunch($"{_out}-{primary.Node}-relaunch.log"));
        Console.Error.WriteLine($"  [{_label}] relaunched {primary.Node}; waiting for it to catch up");
        return new Outcome(primary.Node, elected.Primary!, Ms(writes.LongestGap()), Ms(writes.FirstSuccessStartedAfter(killedAt) - killedAt),
            Ms(firstAfterElection - electedAt), writes.Errors, writes.Ok);
    }

    private static long Ms(long stopwatchTicks) => stopwatchTicks * 1000 / Stopwatch.Frequency;

    /// <summary>Writes started on a fixed beat, none waiting for another, so one stuck on the dead primary holds back nothing.</summary>
    private sealed class Writes
    {
        private readonly List<(long Started, long Answered)> _successes = [];
        private long _errors;

        public long Errors => Interlocked.Read(ref _errors);

        public long Ok
        {
            get
            {
                lock (_successes)
                    return _successes.Count;
            }
        }

        public async Task RunAsync(IDatabase db, TimeSpan interval, CancellationToken stop)
        {
            var pending = new List<Task>();
            using var beat = new PeriodicTimer(interval);
            for (var n = 0; await WaitAsync(beat, stop); n++)
            {
                pending.Add(WriteAsync(db, $"resp-failover:{n % 10_000}"));
                pending.RemoveAll(t => t.IsCompleted);
            }
            await Task.WhenAll(pending);
        }

        /// <summary>The longest time between two consecutive successful answers.</summary>
        public long LongestGap()
        {
            lock (_successes)
            {
                var answered = _successes.Select(s => s.Answered).Order().ToList();
                return answered.Zip(answered.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
            }
        }

        public long FirstSuccessStartedAfter(long moment)
        {
            lock (_successes)
                return _successes.Where(s => s.Started >= moment).Select(s => s.Answered).DefaultIfEmpty(long.MaxValue).Min();
        }

        public async Task<long> WaitForSuccessStartedAfterAsync(long moment, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                lock (_successes)
                {
                    var first = _successes.Where(s => s.Started >= moment).Select(s => s.Started).DefaultIfEmpty(long.MaxValue).Min();
                    if (first != long.MaxValue)
                        return first;
                }
                await Task.Delay(5, cancellationToken);
            }
            throw new TimeoutException($"no write started after the election succeeded within {timeout.TotalSeconds:0} s");
        }

        private async Task WriteAsync(IDatabase db, string key)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await db.StringSetAsync(key, "v");
                var answered = Stopwatch.GetTimestamp();
                lock (_successes)
                    _successes.Add((started, answered));
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        private static async Task<bool> WaitAsync(PeriodicTimer beat, CancellationToken stop)
        {
            try
            {
                return await beat.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }
}
