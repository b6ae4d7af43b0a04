using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;

namespace KvAspire.Node.Cluster;

/// <summary>
/// The <see cref="ClusterStatus"/> the host loop publishes for everyone off the loop (the /cluster endpoints, metrics,
/// health, WAIT, the role watchers). Building one allocates a record, its peers and their strings, so under load it is
/// built at most once a tick, unless the role, term or primary changed or a reader waits on <see cref="Changed"/>.
/// Built on the loop thread only; read from any.
/// </summary>
internal sealed class StatusPublisher
{
    private readonly string _node;
    private readonly Raft _raft;
    private readonly KvStore _store;
    private readonly DurableLog _log;
    private readonly PeerContact _contact;
    private readonly ReplicationLagClock _lagClock;
    private readonly Syncing _syncing;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private volatile ClusterStatus _status;
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource _roleChanged = NewSignal();
    /// <summary>Someone took <see cref="Changed"/> since the last publication: publish at the end of the next batch.</summary>
    private volatile bool _awaited;
    private long _publishedAt;
    private bool _seenPrimary;

    public StatusPublisher(string node, Raft raft, KvStore store, DurableLog log, PeerContact contact, ReplicationLagClock lagClock,
        Syncing syncing, TimeProvider time, TimeSpan interval)
    {
        (_node, _raft, _store, _log, _contact, _lagClock, _syncing, _time, _interval) =
            (node, raft, store, log, contact, lagClock, syncing, time, interval);
        _status = Build(primaryCommit: 0);
        _publishedAt = time.GetTimestamp();
    }

    public ClusterStatus Current => _status;

    /// <summary>Completes when the loop next publishes a status: at the end of its next batch, since taking it asks for one.</summary>
    public Task Changed
    {
        get
        {
            var changed = _changed.Task;
            _awaited = true;
            return changed;
        }
    }

    /// <summary>Completes when the loop next publishes a different role, term or primary.</summary>
    public Task RoleChanged => _roleChanged.Task;

    /// <summary>Publishes a new status if one is due; <paramref name="primaryCommit"/> is the commit index a secondary last heard
    /// from its primary, which ends a catch-up.</summary>
    public void Publish(long primaryCommit)
    {
        var before = _status;
        var roleChanged = _raft.Role != before.Role || _raft.Term != before.Term || _raft.Primary != before.Primary;
        if (!roleChanged && !_awaited && _time.GetElapsedTime(_publishedAt) < _interval)
            return;
        _awaited = false;
        _publishedAt = _time.GetTimestamp();
        _status = Build(primaryCommit);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        if (roleChanged)
            Interlocked.Exchange(ref _roleChanged, NewSignal()).TrySetResult();
    }

    private ClusterStatus Build(long primaryCommit)
    {
        _seenPrimary |= _raft.Primary is not null;
        _syncing.Observe(_store.AppliedIndex, _raft.Role == Role.Primary ? _raft.CommitIndex : primaryCommit);
        var sync = _syncing.Current;
        var state = sync is not null ? ClusterState.Syncing
            : _raft.Primary is not null ? ClusterState.Normal
            : _seenPrimary || _raft.Role == Role.Candidate ? ClusterState.Election
            : ClusterState.Starting;
        var last = _raft.Log.LastIndex;
        var peers = new List<PeerStatus>(_raft.Peers.Count);
        foreach (var peer in _raft.Peers)
        {
            var heard = _contact.SecondsSinceHeard(peer);
            peers.Add(_raft.ProgressOf(peer) is { } progress
                ? new PeerStatus(peer, progress.Match, last - progress.Match, _lagClock.LagSeconds(progress.Match, last),
                    progress.State.ToString().ToLowerInvariant(), heard, _contact.InContact(heard))
                : new PeerStatus(peer, null, null, null, null, heard, _contact.InContact(heard)));
        }
        return new ClusterStatus(_node, _raft.Role, state, _raft.Term, _raft.Primary, _raft.CommitIndex,
            _store.AppliedIndex, _store.AppliedDigest.ToString("x16"), _raft.Log.LastIndex, _raft.Log.LastTerm, Environment.ProcessId,
            _raft.HasCommittedInCurrentTerm && _store.AppliedIndex >= _raft.CommitIndex, _store.Count, _log.SizeBytes, _raft.Log.Start.Index,
            sync, _syncing.Last, peers)
        {
            Standing = _raft.Standing.ToString(),
            Voters = _raft.Membership.Voters,
            Learners = _raft.Membership.Learners,
            MembershipChanging = _raft.MembershipChanging,
        };
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
