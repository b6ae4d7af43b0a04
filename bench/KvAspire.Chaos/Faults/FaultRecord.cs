namespace KvAspire.Chaos.Faults;

/// <summary>
/// A scheduled fault as it ran: the nodes it hit, when it started and was lifted (microseconds on the history's
/// clock), when the cluster had healed, and whether it was injected at all (<see cref="Problem"/> says why not).
/// </summary>
public sealed record FaultRecord(ScheduledFault Fault, string Nodes, long Start, long Lifted, long? Healed, bool Injected, string? Problem)
{
    public override string ToString() =>
        $"{Fault.Kind} {Nodes}" + (Injected ? "" : $" NOT INJECTED: {Problem}") + (Healed is null ? " (did not heal)" : "");
}
