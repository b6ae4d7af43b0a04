using KvAspire.Node.Consensus;

namespace KvAspire.Node.Transport;

/// <summary>
/// Carries consensus messages to other nodes. <see cref="Send"/> never blocks and may drop a message
/// (the protocol tolerates loss); messages to one peer arrive in the order sent, or not at all.
/// Called from the host loop only.
/// </summary>
public interface IPeerTransport
{
    void Send(Message message);
}
