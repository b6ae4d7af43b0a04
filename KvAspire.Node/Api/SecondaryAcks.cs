using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Api;

/// <summary>
/// WAIT's question, answered from the primary's own bookkeeping: how many secondaries have stored
/// the log up to an index (their match index, Raft §5.3). Re-checked each time the host loop
/// publishes a status, so it answers within one loop batch of the acknowledgement arriving.
/// </summary>
public static class SecondaryAcks
{
    public static async Task<int?> WaitAsync(RaftHost host, long index, int wanted, TimeSpan? timeout, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (host.Status.Role != Role.Primary)
            return null;
        using var deadline = timeout is { } limit
            ? new CancellationTokenSource(limit, time)
            : new CancellationTokenSource();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        while (true)
        {
            var changed = host.StatusChanged;
            var acknowledged = Count(host.Status, index);
            if (acknowledged >= wanted)
                return acknowledged;
            try
            {
                await changed.WaitAsync(waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Count(host.Status, index);
            }
        }
    }

    /// <summary>Only a primary tracks match indexes: a node that stepped down counts no one.</summary>
    public static int Count(ClusterStatus status, long index) =>
        status.Role == Role.Primary ? status.Peers.Count(peer => peer.MatchIndex >= index) : 0;
}
