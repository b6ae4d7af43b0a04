using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Cluster;

/// <summary>Everything that reaches the host loop: time, a peer's message or snapshot, a client write or read, an
/// operator's step-down, or news from background snapshot work.</summary>
internal abstract record HostInput
{
    /// <summary>The <see cref="HostInbox"/> lane it takes, and so the budget it counts against.</summary>
    public virtual InputLane Lane => InputLane.Own;

    /// <summary>The bytes of values and entries this input holds, as the budget counts them.</summary>
    public virtual long QueuedBytes => 0;

    public sealed record Tick : HostInput
    {
        public static readonly Tick Instance = new();
    }

    /// <summary>The client lane holds inputs: wakes a loop waiting on the first lane.</summary>
    public sealed record ClientsWaiting : HostInput
    {
        public static readonly ClientsWaiting Instance = new();
    }

    /// <param name="Trace">The span the message travelled under, if any (see <see cref="Transport.PeerTrace"/>).</param>
    /// <param name="Receive">The receive span started as a traced batch arrived, ended once the loop stepped it.</param>
    /// <param name="Arrived">When the message reached this node (<see cref="TimeProvider.GetTimestamp"/>), however long it then
    /// waited for the loop: when the node last heard from a primary is its arrival.</param>
    public sealed record Deliver(Message Message, long Arrived, ActivityContext Trace = default, Activity? Receive = null) : HostInput
    {
        public override InputLane Lane => InputLane.Peer;
        public override long QueuedBytes
        {
            get
            {
                if (Message is not Replicate replicate)
                    return 0;
                long bytes = 0;
                for (var i = 0; i < replicate.Entries.Count; i++)
                    bytes += replicate.Entries[i].Data.Length;
                return bytes;
            }
        }
    }

    /// <summary>A primary's snapshot arrived whole and is stored as <see cref="Received"/>, not yet installed.</summary>
    /// <param name="State">The store it holds, built off the loop so installing it only swaps a reference.</param>
    public sealed record DeliverSnapshot(InstallSnapshot Message, SnapshotMetadata Received, PreparedStore State) : HostInput;

    /// <summary>Saving a snapshot failed too many times in a row (see <see cref="SnapshotScheduler"/>).</summary>
    public sealed record SnapshotFailed(IOException Failure) : HostInput;

    /// <summary>A snapshot of this node's own state is durable.</summary>
    public sealed record SnapshotSaved(SnapshotMetadata Snapshot) : HostInput;

    /// <summary>The group commit forced the log to disk through <see cref="Index"/> (of <see cref="Term"/>), or failed.</summary>
    public sealed record LogDurable(long Index, long Term, Exception? Failure) : HostInput;

    /// <summary>Streaming a snapshot to <see cref="Peer"/> ended.</summary>
    public sealed record SnapshotShipped(string Peer, bool Delivered) : HostInput;

    /// <param name="Command">The client command's span, so replication can be traced under it.</param>
    public sealed record Propose(byte[] Data, Acknowledge Acknowledge, TaskCompletionSource<WriteOutcome> Completion,
        ActivityContext? Command) : HostInput
    {
        public override InputLane Lane => InputLane.Client;
        public override long QueuedBytes => Data.Length;
    }

    /// <summary>A linearizable read: completes once a majority confirmed this primary and the state machine caught up.</summary>
    /// <param name="After">An entry the read must also see (the client's own unconfirmed write), or 0.</param>
    public sealed record Read(TaskCompletionSource<ReadPermit> Completion, long After) : HostInput
    {
        public override InputLane Lane => InputLane.Client;
    }

    /// <summary>An operator's membership change: <see cref="Completion"/> says whether the core took it, <see cref="Committed"/>
    /// completes once it commits (as a write acknowledged by a quorum does).</summary>
    public sealed record ChangeMembership(MembershipChange Change, TaskCompletionSource<MembershipChangeResult> Completion,
        TaskCompletionSource<WriteOutcome> Committed) : HostInput;

    /// <summary>Hand the primary role to <see cref="To"/> (or the most up-to-date secondary).</summary>
    public sealed record StepDown(string? To, TaskCompletionSource<StepDownOutcome> Completion) : HostInput;
}
