using System.Collections.Concurrent;
using System.Threading.Channels;

namespace KvAspire.Node.Cluster;

/// <summary>
/// The host loop's inputs in two lanes. Time, peer messages and the loop's own news go first; client writes and
/// reads wait in their own lane and are taken a bounded number per batch. In one queue, a pipelined bulk load put
/// tens of thousands of proposals ahead of the ticks and acknowledgements: the primary sent no heartbeat for
/// longer than the fast election timeout and was deposed (issue 16, "stalls in the loop"). Each lane has its own
/// <see cref="InboxBudget"/>, so a client flood can never make the loop drop its peers' messages.
/// </summary>
internal sealed class HostInbox(int maxInputs, long maxBytes)
{
    private readonly Channel<HostInput> _first = Channel.CreateUnbounded<HostInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<HostInput> _clients = new();
    private readonly InboxBudget _peerBudget = new(maxInputs, maxBytes);
    private readonly InboxBudget _clientBudget = new(maxInputs, maxBytes);
    /// <summary>1 while a <see cref="HostInput.ClientsWaiting"/> is queued in the first lane: a flood of client inputs
    /// wakes the loop once, not once per input.</summary>
    private int _clientsSignalled;
    private int _completed;

    /// <summary>Client inputs queued, for the overloaded answer.</summary>
    public int QueuedClientInputs => _clientBudget.QueuedInputs;

    /// <summary>Queues a peer's message or the loop's own news ahead of every client input; false when the peer lane
    /// is full or the loop has stopped.</summary>
    public bool TryPost(HostInput input)
    {
        var budgeted = input.Lane == InputLane.Peer;
        if (budgeted && !_peerBudget.TryReserve(input.QueuedBytes))
            return false;
        if (_first.Writer.TryWrite(input))
            return true;
        if (budgeted)
            _peerBudget.Release(input.QueuedBytes);
        return false;
    }

    /// <summary>Queues a client's write or read behind the first lane; false when the client lane is full or the loop
    /// has stopped.</summary>
    public bool TryPostClient(HostInput input)
    {
        if (!_clientBudget.TryReserve(input.QueuedBytes))
            return false;
        _clients.Enqueue(input);
        if (Interlocked.Exchange(ref _clientsSignalled, 1) == 0)
            _first.Writer.TryWrite(HostInput.ClientsWaiting.Instance);
        // Either the ending loop's drain finds this input, or this sees the lanes completed: never neither.
        return Volatile.Read(ref _completed) == 0;
    }

    public bool HasClientInputs => !_clients.IsEmpty;

    /// <summary>Waits until either lane holds an input; false once the first lane is completed and empty.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _first.Reader.WaitToReadAsync(cancellationToken);

    public bool TryTakeFirst(out HostInput input)
    {
        while (_first.Reader.TryRead(out input!))
        {
            if (input is not HostInput.ClientsWaiting)
            {
                Release(input);
                return true;
            }
            // Cleared before the client lane is next read, so an input queued after that read signals again.
            Volatile.Write(ref _clientsSignalled, 0);
        }
        return false;
    }

    public bool TryTakeClient(out HostInput input)
    {
        if (!_clients.TryDequeue(out input!))
            return false;
        _clientBudget.Release(input.QueuedBytes);
        return true;
    }

    /// <summary>No more inputs are accepted; what is queued can still be taken.</summary>
    public void Complete()
    {
        Interlocked.Exchange(ref _completed, 1);
        _first.Writer.TryComplete();
    }

    /// <summary>A first-lane input was taken: a peer's message gives its room back (the loop's own never took any).</summary>
    private void Release(HostInput input)
    {
        if (input.Lane == InputLane.Peer)
            _peerBudget.Release(input.QueuedBytes);
    }
}

/// <summary>Which lane of the <see cref="HostInbox"/> an input takes, and which budget it counts against.</summary>
internal enum InputLane
{
    /// <summary>The loop's own: ticks, fsync and snapshot news, an operator's step-down. Never refused: losing one would stall it.</summary>
    Own,
    /// <summary>A peer's message: ahead of clients, dropped when its lane is full (the protocol resends).</summary>
    Peer,
    /// <summary>A client's write or read: behind everything else, refused with "overloaded" when its lane is full.</summary>
    Client,
}
