using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Transport;

/// <summary>
/// Where <see cref="PeerService"/> hands what peers send: the host loop. The transport knows this much of it and no
/// more, so it never reaches into the loop's own state.
/// </summary>
public interface IPeerReceiver
{
    /// <summary>Cancelled once the node no longer needs its peers' messages: the streams it receives end then.</summary>
    CancellationToken PeerStreamsEnding { get; }

    /// <summary>This node's current term, to refuse a snapshot offered from an older one before receiving it.</summary>
    long Term { get; }

    void Deliver(Message message, ActivityContext trace = default);

    /// <summary>A snapshot whose file is whole on disk (<paramref name="received"/>) and whose store is built.</summary>
    void DeliverSnapshot(InstallSnapshot message, SnapshotMetadata received, PreparedStore state);

    /// <summary>Starts receiving a snapshot from <paramref name="from"/>; false while another is being received.</summary>
    bool TryBeginSnapshot(string from, long snapshotIndex, long bytesTotal);

    void SnapshotBytesReceived(long bytes);

    /// <summary>The snapshot being received will not be handed over (the stream failed or the file was refused).</summary>
    void SnapshotAbandoned();
}
