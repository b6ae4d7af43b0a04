using System.Diagnostics;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Transport;

/// <summary>
/// Carries consensus messages to other nodes. <see cref="Send"/> never blocks and may drop a message
/// (the protocol tolerates loss); messages to one peer arrive in the order sent, or not at all.
/// Called from the host loop only.
/// </summary>
public interface IPeerTransport
{
    /// <param name="trace">The span <paramref name="message"/> travels under, for the receiver's spans to join (a sampled
    /// write's <c>replicate</c> span, a candidate's <c>election</c> span); default for none, as for all unsampled work.</param>
    void Send(Message message, ActivityContext trace);

    /// <summary>
    /// Streams this node's newest snapshot to <c>message.To</c>, whose host then handles the message with
    /// that snapshot's index and term. Completes with whether the whole snapshot arrived; while one is on
    /// its way to a peer, another request for that peer joins it instead of starting a second stream.
    /// </summary>
    Task<bool> SendSnapshotAsync(InstallSnapshot message, CancellationToken cancellationToken);
}
