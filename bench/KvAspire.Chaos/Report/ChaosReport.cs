using KvAspire.Chaos.Cluster;
using KvAspire.Chaos.Faults;
using KvAspire.Chaos.Linearizability;
using KvAspire.Chaos.Load;
using KvAspire.Chaos.Membership;

namespace KvAspire.Chaos.Report;

public sealed record OpCounts(int Total, int Ok, int Failed, int Indeterminate)
{
    public static OpCounts Of(IEnumerable<ClientOp> ops)
    {
        var list = ops.ToList();
        return new OpCounts(list.Count, list.Count(o => o.Result == OpResult.Ok), list.Count(o => o.Result == OpResult.Failed),
            list.Count(o => o.Result == OpResult.Indeterminate));
    }
}

/// <summary>Elections seen through the gateway's <c>/cluster</c>: the terms at the start and end, and how often the
/// primary it follows changed to another node.</summary>
public sealed record Elections(long FirstTerm, long LastTerm, int PrimaryChanges)
{
    public static Elections Of(IReadOnlyList<ClusterSample> samples)
    {
        // Polls that found no primary (the gateway between views, or an election under way) say nothing of the term.
        var led = samples.Where(s => s.Primary is not null).ToList();
        var changes = led.Zip(led.Skip(1)).Count(p => p.First.Primary != p.Second.Primary);
        return new Elections(led.Select(s => s.Term).DefaultIfEmpty().Min(), led.Select(s => s.Term).DefaultIfEmpty().Max(), changes);
    }
}

/// <summary>Everything a run found; <see cref="Verdicts"/> lists every reason it did not pass. <see cref="UnavailableMs"/>
/// is per fault number (null: no write succeeded after it).</summary>
public sealed record ChaosReport(
    RunOptions Options,
    DateTimeOffset StartedUtc,
    double Seconds,
    OpCounts Ops,
    IReadOnlyDictionary<string, OpCounts> OpsByProtocol,
    CheckResult Check,
    int FinalReads,
    IReadOnlyList<LostWrite> LostWrites,
    IReadOnlyList<FaultRecord> Faults,
    int MembershipSteps,
    IReadOnlyList<ChangeRecord> Changes,
    IReadOnlyDictionary<int, double?> UnavailableMs,
    IReadOnlyDictionary<FaultKind, UnavailabilityStats> Unavailability,
    Elections Elections,
    IReadOnlyDictionary<string, IReadOnlyList<ClientOp>> FailureContext,
    string? Aborted)
{
    /// <summary>Operations of a failing key shown around its minimal sub-history, at most.</summary>
    private const int ContextOperations = 60;

    public IReadOnlyList<string> Verdicts
    {
        get
        {
            var reasons = new List<string>();
            if (Aborted is not null)
                reasons.Add($"the run stopped early: {Aborted}");
            if (!Check.IsLinearizable)
                reasons.Add($"the history is not linearizable on {Check.Failures.Count} key(s)");
            if (LostWrites.Count > 0 && Options.Acknowledge == "Quorum")
                reasons.Add($"{LostWrites.Count} acknowledged write(s) lost in Quorum mode");
            reasons.AddRange(Faults.Where(f => !f.Injected).Select(f => $"fault #{f.Fault.Number} {f.Fault.Kind} was not injected: {f.Problem}"));
            reasons.AddRange(Faults.Where(f => f.Injected && f.Healed is null).Select(f => $"the cluster did not heal after fault #{f.Fault.Number} {f.Fault.Kind}"));
            if (Faults.Count == 0)
                reasons.Add("no fault was injected");
            // Refusals are the cluster's right under faults, but a track whose every step came to nothing says the
            // members API is stuck (or the run too short for a membership check).
            if (MembershipSteps > 0 && Changes.All(c => c.Outcome != ChangeOutcome.Accepted))
                reasons.Add($"no membership change was accepted ({Changes.Count} asked in {MembershipSteps} steps)");
            return reasons;
        }
    }

    public bool Passed => Verdicts.Count == 0;

    /// <summary>How many membership changes ended each way.</summary>
    public int ChangesEnded(ChangeOutcome outcome) => Changes.Count(c => c.Outcome == outcome);

    public static ChaosReport Build(RunOptions options, DateTimeOffset startedUtc, History history, CheckResult check,
        IReadOnlyDictionary<string, string?> finalValues, IReadOnlyList<FaultRecord> faults, int membershipSteps, IReadOnlyList<ChangeRecord> changes,
        IReadOnlyList<ClusterSample> samples, string? aborted)
    {
        var ops = history.Ops;
        var load = ops.Where(o => o.Operation.Client > 0).ToList();
        return new ChaosReport(options, startedUtc, history.Now() / 1e6, OpCounts.Of(load),
            load.GroupBy(o => o.Via).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => OpCounts.Of(g)),
            check, finalValues.Count, Report.LostWrites.Find(load, finalValues), faults, membershipSteps, changes,
            faults.ToDictionary(f => f.Fault.Number, f => Report.Unavailability.Of(f, load)), Report.Unavailability.ByKind(faults, load), Elections.Of(samples),
            check.Failures.ToDictionary(f => f.Key, f => Context(f, ops)), aborted);
    }

    /// <summary>Every operation on the failing key from the first call of its minimal sub-history to the last return,
    /// refused ones included: the minimal sub-history says that something is wrong, these often say what (a write
    /// answered as refused that took effect, say), since the checker never sees refused operations.</summary>
    internal static IReadOnlyList<ClientOp> Context(KeyFailure failure, IReadOnlyList<ClientOp> ops)
    {
        var from = failure.Minimal.Min(o => o.Call);
        var to = failure.Minimal.Max(o => o.Return ?? o.Call);
        return [.. ops.Where(o => o.Operation.Key == failure.Key && o.Operation.Call >= from && o.Operation.Call <= to)
            .OrderBy(o => o.Operation.Call).Take(ContextOperations)];
    }
}
