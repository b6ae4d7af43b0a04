using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>Everything that reaches the host loop: time, a peer's message, or a client write.</summary>
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
}
