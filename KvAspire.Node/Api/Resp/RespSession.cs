using System.Net;
using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api.Resp;

/// <summary>One client connection's state. Used by that connection's loop only.</summary>
public sealed class RespSession(long id, IPAddress? remote = null, bool authenticated = true, Action? wake = null)
{
    public long Id { get; } = id;

    /// <summary>The client's address: failed AUTH attempts are counted per address.</summary>
    public IPAddress? Remote { get; } = remote;

    /// <summary>
    /// False until AUTH (or HELLO ... AUTH) succeeds when <c>Auth:Password</c> is set; until then only
    /// AUTH, HELLO and QUIT run and requests are held to the small pre-authentication limits.
    /// </summary>
    public bool Authenticated { get; set; } = authenticated;

    /// <summary>Set by CLIENT SETNAME or HELLO SETNAME.</summary>
    public string? Name { get; set; }

    /// <summary>The log index of this client's latest acknowledged write: what WAIT waits for.</summary>
    public long LastWriteIndex => Volatile.Read(ref _lastWriteIndex);
    private long _lastWriteIndex;

    /// <summary>The confirmation this client's pipelined reads share (see <see cref="SharedReadPermit"/>); it also
    /// covers the client's latest write.</summary>
    public SharedReadPermit Reads => _reads ??= new SharedReadPermit(() => LastWriteIndex);
    private SharedReadPermit? _reads;

    /// <summary>Commands queued since MULTI; null outside a transaction.</summary>
    public RespQueuedTransaction? Transaction { get; set; }

    /// <summary>Keys under WATCH and the revision each had when first watched; cleared by EXEC, DISCARD and UNWATCH.</summary>
    public Dictionary<string, long> Watched { get; } = new(StringComparer.Ordinal);

    /// <summary>Wakes the connection's loop so it writes what was published to it (the connection: cancel its pending read).</summary>
    public Action Wake { get; } = wake ?? (() => { });

    /// <summary>Set by the first SUBSCRIBE or PSUBSCRIBE; null on a connection that never subscribed.</summary>
    public RespSubscriber? Subscriber { get; set; }

    /// <summary>QUIT was received: reply, then close.</summary>
    public bool Closing { get; set; }

    /// <summary>Pipelined writes complete concurrently, so the latest index is kept with a compare-and-swap.</summary>
    public void Wrote(WriteOutcome outcome)
    {
        if (outcome is not WriteOutcome.Written written)
            return;
        var seen = LastWriteIndex;
        while (written.Index > seen)
        {
            var previous = Interlocked.CompareExchange(ref _lastWriteIndex, written.Index, seen);
            if (previous == seen)
                return;
            seen = previous;
        }
    }
}

/// <summary>The connected RESP clients of this node: their number (for maxclients) and ids.</summary>
public sealed class RespClients
{
    private int _connected;
    private long _lastId;

    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Counts a new client in, unless <paramref name="max"/> are already connected.</summary>
    public bool TryAdmit(int max)
    {
        if (Interlocked.Increment(ref _connected) <= max)
            return true;
        Interlocked.Decrement(ref _connected);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _connected);

    public long NextId() => Interlocked.Increment(ref _lastId);
}
