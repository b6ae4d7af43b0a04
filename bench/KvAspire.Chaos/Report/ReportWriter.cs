using System.Globalization;
using System.Text.Json;
using KvAspire.Chaos.Load;
using KvAspire.Chaos.Membership;

namespace KvAspire.Chaos.Report;

/// <summary>The report in the console and as JSON (report.json beside the history and the plot).</summary>
public static class ReportWriter
{
    public static void Print(ChaosReport report, TextWriter output)
    {
        var o = report.Options;
        output.WriteLine(Invariant($"== chaos run: seed {o.Seed}, {report.Seconds:0} s, {o.Clients} clients, {o.Keys} keys per {o.KeyGenerationSeconds:0} s, timing {o.Timing}, acknowledge {o.Acknowledge}"));
        output.WriteLine(Invariant($"ops: {report.Ops.Total:N0} ({Rate(report.Ops.Total, report.Seconds)}/s): ok {report.Ops.Ok:N0}, failed {report.Ops.Failed:N0}, indeterminate {report.Ops.Indeterminate:N0}"));
        foreach (var (protocol, counts) in report.OpsByProtocol)
            output.WriteLine(Invariant($"  {protocol}: ok {counts.Ok:N0}, failed {counts.Failed:N0}, indeterminate {counts.Indeterminate:N0}"));
        output.WriteLine(report.Check.IsLinearizable
            ? Invariant($"linearizable: yes ({report.Check.Operations:N0} operations on {report.Check.Keys} keys checked)")
            : Invariant($"linearizable: NO, on {report.Check.Failures.Count} of {report.Check.Keys} keys"));
        foreach (var failure in report.Check.Failures)
        {
            output.WriteLine($"  key {failure.Key} ({failure.Operations} operations); a minimal sub-history that is not linearizable:");
            foreach (var operation in failure.Minimal)
                output.WriteLine($"    {operation}");
            output.WriteLine("  every operation on the key meanwhile, refused ones included (call s, client, protocol, operation, result):");
            foreach (var op in report.FailureContext[failure.Key])
                output.WriteLine(Invariant($"    {op.Operation.Call / 1e6,9:0.0000} c{op.Operation.Client} {op.Via} {op.Operation.Kind} {op.Operation.Input} -> {op.Result} {(op.Result == OpResult.Ok ? op.Operation.Output : op.Error)}"));
        }
        output.WriteLine(Invariant($"acknowledged writes lost: {report.LostWrites.Count} (final read of {report.FinalReads} keys)"));
        foreach (var lost in report.LostWrites)
            output.WriteLine($"  {lost.Key}: acknowledged {lost.Acknowledged.Operation}, final value {lost.Found ?? "(none)"}");
        output.WriteLine(Invariant($"elections: term {report.Elections.FirstTerm} -> {report.Elections.LastTerm}, primary changed {report.Elections.PrimaryChanges} times"));
        output.WriteLine("faults (start s, lifted s, healed s, writes unavailable ms):");
        foreach (var fault in report.Faults)
            output.WriteLine(Invariant($"  #{fault.Fault.Number,-3} {Seconds(fault.Start),6} {Seconds(fault.Lifted),6} {(fault.Healed is { } h ? Seconds(h) : "never"),6} {Ms(report.UnavailableMs[fault.Fault.Number])} {fault}"));
        output.WriteLine(Invariant($"membership changes (asked s, answered s): {report.Changes.Count} in {report.MembershipSteps} steps, accepted {report.ChangesEnded(ChangeOutcome.Accepted)}, refused {report.ChangesEnded(ChangeOutcome.Refused)}, unknown {report.ChangesEnded(ChangeOutcome.Unknown)}"));
        foreach (var change in report.Changes)
            output.WriteLine(Invariant($"  {Seconds(change.Start),6} {Seconds(change.End),6} {change}"));
        output.WriteLine("unavailability by fault kind (time from the fault's start to the first acknowledged write):");
        foreach (var (kind, stats) in report.Unavailability)
            output.WriteLine(Invariant($"  {kind,-15} n={stats.Faults}  p50 {Ms(stats.P50Ms)}  p99 {Ms(stats.P99Ms)}{(stats.NeverRecovered > 0 ? $"  never recovered: {stats.NeverRecovered}" : "")}"));
        output.WriteLine(report.Passed ? "PASS" : "FAIL:\n  " + string.Join("\n  ", report.Verdicts));
    }

    public static void WriteJson(ChaosReport report, string path)
    {
        var json = new
        {
            seed = report.Options.Seed,
            minutes = report.Options.Minutes,
            clients = report.Options.Clients,
            keys = report.Options.Keys,
            keyGenerationSeconds = report.Options.KeyGenerationSeconds,
            timing = report.Options.Timing,
            acknowledge = report.Options.Acknowledge,
            startedUtc = report.StartedUtc,
            seconds = Math.Round(report.Seconds, 1),
            ops = report.Ops,
            opsByProtocol = report.OpsByProtocol,
            linearizable = report.Check.IsLinearizable,
            checkedOperations = report.Check.Operations,
            checkedKeys = report.Check.Keys,
            failures = report.Check.Failures.Select(f => new
            {
                key = f.Key, operations = f.Operations, minimal = f.Minimal.Select(m => m.ToString()),
                meanwhile = report.FailureContext[f.Key].Select(o => new { operation = o.Operation.ToString(), result = o.Result.ToString(), o.Via, o.Error }),
            }),
            finalReads = report.FinalReads,
            lostWrites = report.LostWrites.Count,
            lost = report.LostWrites.Select(l => new { key = l.Key, acknowledged = l.Acknowledged.Operation.ToString(), found = l.Found }),
            elections = report.Elections,
            faults = report.Faults.Select(f => new
            {
                number = f.Fault.Number, kind = f.Fault.Kind.ToString(), planned = f.Fault.ToString(), nodes = f.Nodes,
                startS = f.Start / 1e6, liftedS = f.Lifted / 1e6, healedS = f.Healed / 1e6, injected = f.Injected, problem = f.Problem,
                unavailableMs = report.UnavailableMs[f.Fault.Number],
            }),
            membershipSteps = report.MembershipSteps,
            changesAccepted = report.ChangesEnded(ChangeOutcome.Accepted),
            changesRefused = report.ChangesEnded(ChangeOutcome.Refused),
            changesUnknown = report.ChangesEnded(ChangeOutcome.Unknown),
            changes = report.Changes.Select(c => new
            {
                step = c.Step, kind = c.Change.Kind.ToString(), node = c.Change.Node, startS = c.Start / 1e6, endS = c.End / 1e6,
                attempts = c.Attempts, outcome = c.Outcome.ToString(), answer = c.Answer,
            }),
            unavailability = report.Unavailability.ToDictionary(u => u.Key.ToString(), u => u.Value),
            aborted = report.Aborted,
            passed = report.Passed,
            verdicts = report.Verdicts,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    private static string Seconds(long microseconds) => Invariant($"{microseconds / 1e6:0.0}");
    private static string Ms(double? ms) => ms is { } v ? Invariant($"{v,7:0}") : "   none";
    private static string Rate(int count, double seconds) => Invariant($"{(seconds > 0 ? count / seconds : 0):0}");
    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
