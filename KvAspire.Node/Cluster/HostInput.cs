using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>Everything that reaches the host loop: time, a peer's message, a client write or read, or an operator's step-down.</summary>
internal abstract record HostInput
{
    public sealed record Tick : HostInput
    {
        public static readonly Tick Instance = new();
    }

    public sealed record Deliver(Message Message) : HostInput;

    /// <param name="Command">The client command's span, so replication can be traced under it.</param>
    public sealed record Propose(byte[] Data, Acknowledge Acknowledge, TaskCompletionSource<WriteOutcome> Completion,
        ActivityContext? Command) : HostInput;

    /// <summary>A linearizable read: completes once a majority confirmed this primary and the state machine caught up.</summary>
    public sealed record Read(TaskCompletionSource<ReadPermit> Completion) : HostInput;

    /// <summary>Hand leadership to <see cref="To"/> (or the most up-to-date secondary).</summary>
    public sealed record StepDown(string? To, TaskCompletionSource<StepDownOutcome> Completion) : HostInput;
}
