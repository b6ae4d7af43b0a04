using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// Runs the <see cref="Simulator"/> over many seeds, in parallel across the machine's cores.
/// Environment variables: <c>KV_SIM_SEEDS</c> (how many, default 2,000), <c>KV_SIM_STEPS</c> (per seed,
/// default 2,000), <c>KV_SIM_FIRST_SEED</c> (default 1), <c>KV_SIM_SEED</c> (replay exactly one seed with
/// a full trace). A failure prints the command that replays it and the trace of its last steps.
/// </summary>
public class SimulationTests(ITestOutputHelper output)
{
    public const string ReplayFilter = "FullyQualifiedName~KvAspire.Node.Tests.Simulation.SimulationTests";
    private const int TraceLinesShown = 80;

    [Fact]
    public void Cluster_UnderSeededChaos_KeepsEverySafetyPropertyAndRecovers()
    {
        var steps = Env("KV_SIM_STEPS", 2_000);
        if (Environment.GetEnvironmentVariable("KV_SIM_SEED") is { } single)
        {
            Replay(int.Parse(single), steps, printTrace: true);
            return;
        }
        var seeds = Env("KV_SIM_SEEDS", 2_000);
        var first = Env("KV_SIM_FIRST_SEED", 1);
        var failures = new ConcurrentBag<SimulationFailure>();
        var stats = new ConcurrentBag<SimulationStats>();
        var clock = Stopwatch.StartNew();
        Parallel.For(first, first + seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, (seed, loop) =>
        {
            try
            {
                var simulator = new Simulator(seed);
                simulator.Run(steps);
                stats.Add(simulator.Stats);
            }
            catch (SimulationFailure failure)
            {
                failures.Add(failure);
                loop.Stop();
            }
        });
        output.WriteLine($"{stats.Count} seeds x {steps} steps in {clock.Elapsed.TotalSeconds:F1} s: "
            + $"{stats.Sum(s => s.Writes)} writes ({stats.Sum(s => s.QuorumAcks)} Quorum acks, {stats.Sum(s => s.PrimaryAcks)} Primary acks "
            + $"of which {stats.Sum(s => s.PrimaryAcksLost)} lost by failover), {stats.Sum(s => s.ReadsServed)} reads served ({stats.Sum(s => s.ReadsConfirmedAtOnce)} confirmed at once), "
            + $"{stats.Sum(s => s.Elections)} elections, {stats.Sum(s => s.Crashes)} crashes "
            + $"({stats.Sum(s => s.UnsyncedLost)} losing a primary's unsynced log), "
            + $"{stats.Sum(s => s.Snapshots)} snapshots taken and {stats.Sum(s => s.SnapshotsInstalled)} installed from a primary, "
            + $"{stats.Sum(s => s.Wipes)} disks wiped, {stats.Sum(s => s.MembershipChanges)} membership changes, {stats.Sum(s => s.Corrupted)} damaged messages dropped, worst recovery {stats.DefaultIfEmpty().Max(s => s?.RecoveryTicks ?? 0)} ticks");
        if (!failures.IsEmpty)
            Replay(failures.MinBy(f => f.Seed)!.Seed, steps, printTrace: false);
        if (seeds >= 100)
        {
            Assert.True(stats.Sum(s => s.SnapshotsInstalled) > 0, "no run shipped a snapshot to a lagging secondary: the campaign no longer covers syncing");
            Assert.True(stats.Sum(s => s.Wipes) > 0, "no run wiped a node's disk: the campaign no longer covers nodes that lost their data");
            Assert.True(stats.Sum(s => s.MembershipChanges) > 0, "no run changed members: the campaign no longer covers membership changes");
            Assert.True(stats.Sum(s => s.Corrupted) > 0, "no run delivered a damaged message: the campaign no longer covers peer message checks");
            Assert.True(stats.Sum(s => s.ReadsConfirmedAtOnce) > 0, "no read was answered from a lease: the campaign no longer covers lease reads");
            Assert.True(stats.Sum(s => s.UnsyncedLost) > 0, "no crash lost a primary's unsynced log: the campaign no longer covers group commit beside the loop");
        }
    }

    /// <summary>Re-runs one seed with tracing; on failure writes the trace to a file and fails with the replay command.</summary>
    private void Replay(int seed, int steps, bool printTrace)
    {
        var simulator = new Simulator(seed, trace: true);
        try
        {
            simulator.Run(steps);
            output.WriteLine($"seed {seed} passed: {simulator.Stats.Writes} writes, {simulator.Stats.Elections} elections");
        }
        catch (SimulationFailure failure)
        {
            var trace = simulator.TraceLines!;
            var path = Path.Combine(Path.GetTempPath(), $"kvsim-seed-{seed}.log");
            File.WriteAllLines(path, trace);
            var command = $"KV_SIM_SEED={seed}{(steps != 2_000 ? $" KV_SIM_STEPS={steps}" : "")} dotnet test tests/KvAspire.Node.Tests --filter \"{ReplayFilter}\"";
            Assert.Fail($"{failure.Message}\nReplay: {command}\nFull trace: {path}\nLast steps:\n"
                + string.Join("\n", trace.Skip(Math.Max(0, trace.Count - TraceLinesShown))));
        }
        finally
        {
            if (printTrace)
                foreach (var line in simulator.TraceLines!)
                    output.WriteLine(line);
        }
    }

    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : fallback;
}
