using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Linearizable reads waiting on the host loop, the read-side twin of <see cref="Proposals"/>. A read
/// gets an id, is handed to <see cref="Raft.ReadIndex"/>, waits for its <see cref="ReadState"/>, then for
/// the state machine to apply that index. Owned by the host loop thread.
/// </summary>
public sealed class PendingReads
{
    private readonly Dictionary<long, (TaskCompletionSource<ReadPermit> Completion, long After)> _unconfirmed = [];
    private readonly List<(long Index, TaskCompletionSource<ReadPermit> Completion)> _confirmed = [];
    private long _lastId;

    public int Count => _unconfirmed.Count + _confirmed.Count;

    /// <summary>Registers a read; returns the id to pass to <see cref="Raft.ReadIndex"/>. With <paramref name="after"/>,
    /// the read also waits until that entry is applied: the client's own write, acknowledged before it committed
    /// (<see cref="Acknowledge.Primary"/>), so that it reads what it wrote.</summary>
    public long Add(TaskCompletionSource<ReadPermit> completion, long after = 0)
    {
        var id = ++_lastId;
        _unconfirmed[id] = (completion, after);
        return id;
    }

    /// <summary>The core confirmed these reads; each is granted once <paramref name="appliedIndex"/> reaches its index.</summary>
    public void Confirmed(IReadOnlyList<ReadState> states, long appliedIndex)
    {
        foreach (var state in states)
        {
            if (_unconfirmed.Remove(state.RequestId, out var read))
                _confirmed.Add((Math.Max(state.Index, read.After), read.Completion));
        }
        Applied(appliedIndex);
    }

    /// <summary>The state machine has applied through <paramref name="appliedIndex"/>.</summary>
    public void Applied(long appliedIndex)
    {
        for (var i = _confirmed.Count - 1; i >= 0; i--)
        {
            if (_confirmed[i].Index > appliedIndex)
                continue;
            _confirmed[i].Completion.TrySetResult(new ReadPermit.Granted(appliedIndex));
            _confirmed.RemoveAt(i);
        }
    }

    /// <summary>The core refused read <paramref name="id"/>: this node is not the primary.</summary>
    public void Reject(long id, string? primary, long term)
    {
        if (_unconfirmed.Remove(id, out var read))
            read.Completion.TrySetResult(new ReadPermit.NotPrimary(primary, term));
    }

    /// <summary>
    /// This node stopped being primary: reads not yet confirmed can no
    /// longer be, because the core dropped them. Confirmed reads stay valid and are served once applied.
    /// </summary>
    public void FailUnconfirmed(string? primary, long term)
    {
        foreach (var read in _unconfirmed.Values)
            read.Completion.TrySetResult(new ReadPermit.NotPrimary(primary, term));
        _unconfirmed.Clear();
    }

    /// <summary>The node is shutting down.</summary>
    public void FailAll(string? primary, long term)
    {
        FailUnconfirmed(primary, term);
        foreach (var (_, completion) in _confirmed)
            completion.TrySetResult(new ReadPermit.NotPrimary(primary, term));
        _confirmed.Clear();
    }
}
