using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Sends a <see cref="Ready"/>'s messages to the peers, each under the span it travels with; a snapshot is streamed on
/// the thread pool and its outcome comes back to the loop through the <see cref="HostInbox"/>. Host loop only.
/// </summary>
internal sealed class HostOutbox
{
    private readonly IPeerTransport _transport;
    private readonly HostInbox _inbox;
    private readonly ElectionObserver _elections;
    private readonly ReplicationTracing _replicationTracing;
    /// <summary><see cref="Proposals.CommandOf"/> as a delegate made once: the tracing takes it per message, and a method
    /// group would allocate on every call.</summary>
    private readonly Func<long, ActivityContext?> _commandOf;

    public HostOutbox(IPeerTransport transport, HostInbox inbox, ElectionObserver elections, ReplicationTracing replicationTracing,
        Proposals proposals)
    {
        (_transport, _inbox, _elections, _replicationTracing) = (transport, inbox, elections, replicationTracing);
        _commandOf = proposals.CommandOf;
    }

    /// <summary>Ends the snapshot streams still running when the host stops: set once, as the loop starts.</summary>
    public CancellationToken Stopping { private get; set; }

    public void Send(IReadOnlyList<Message> messages)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message is InstallSnapshot install)
                _ = ShipSnapshotAsync(install);
            else
                _transport.Send(message, TraceOf(message));
        }
        _elections.Sent(messages);
    }

    /// <summary>The span <paramref name="message"/> travels under, started now if it is a batch's replicate span; default
    /// for all unsampled work.</summary>
    private ActivityContext TraceOf(Message message) => message switch
    {
        Replicate => _replicationTracing.Sending(message, _commandOf),
        RequestVote => _elections.Trace(message),
        _ => default,
    };

    private async Task ShipSnapshotAsync(InstallSnapshot message)
    {
        var stopping = Stopping;
        try
        {
            var delivered = await _transport.SendSnapshotAsync(message, stopping).ConfigureAwait(false);
            _inbox.TryPost(new HostInput.SnapshotShipped(message.To, delivered));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
