using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Cluster;

/// <summary>How a client write ended. Named outcomes, not exceptions: each maps to one client error.</summary>
public abstract record WriteOutcome
{
    private WriteOutcome() { }

    /// <summary>Acknowledged at (Index, Term). <see cref="Existed"/>: the key existed before (null if not known);
    /// <see cref="Reply"/>: what the command answered when it was applied (null until applied).</summary>
    public sealed record Written(long Index, long Term, bool? Existed, CommandReply? Reply = null) : WriteOutcome
    {
        /// <summary>The write repeated an earlier one with the same idempotency key: nothing ran, and
        /// (<see cref="Index"/>, <see cref="Term"/>) and the reply are the earlier write's.</summary>
        public bool Repeated { get; init; }
    }

    /// <summary>This node is not the primary; <see cref="Primary"/> is the one it knows of, if any.</summary>
    public sealed record NotPrimary(string? Primary, long Term) : WriteOutcome;

    /// <summary>This node stopped being primary before the write committed: there is no way to know
    /// whether it will survive, so the client must check before retrying a non-idempotent write.</summary>
    public sealed record PrimaryLost(long Term) : WriteOutcome;

    /// <summary>Not acknowledged within <see cref="ReplicationOptions.WriteTimeout"/> (no quorum reachable);
    /// the entry may still commit later.</summary>
    public sealed record TimedOut(TimeSpan After) : WriteOutcome;

    /// <summary>Refused before it was proposed: the host loop already has <see cref="Queued"/> inputs waiting.
    /// Nothing was written; retrying later is safe.</summary>
    public sealed record Overloaded(int Queued) : WriteOutcome;
}
