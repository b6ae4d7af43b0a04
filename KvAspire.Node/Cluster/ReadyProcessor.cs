using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;

namespace KvAspire.Node.Cluster;

/// <summary>
/// Carries out each <see cref="Ready"/> in the order the core requires: persist, send, apply, advance. Waiting writes
/// and reads learn their outcome here, as their entries become durable, commit, or are lost with the primary role.
/// Host loop only.
/// </summary>
internal sealed class ReadyProcessor
{
    private readonly string _node;
    private readonly Raft _raft;
    private readonly KvStore _store;
    private readonly DurableLog _log;
    private readonly IHardStateStore _hardStateStore;
    private readonly SnapshotScheduler _snapshots;
    private readonly SnapshotInstaller _installer;
    private readonly HostOutbox _outbox;
    private readonly Proposals _proposals;
    private readonly PendingReads _reads;
    private readonly ReplicationLagClock _lagClock;
    private readonly ElectionObserver _elections;
    private readonly ReplicationTracing _replicationTracing;
    private readonly SecondaryTracing _secondaryTracing;
    private readonly ILogger _logger;
    /// <summary><see cref="Proposals.IsWaiting"/> as a delegate made once: the tracing takes it per peer, and a method
    /// group would allocate on every call.</summary>
    private readonly Func<long, bool> _isWaiting;
    private SoftState _softState;
    /// <summary>The configuration last logged as in force.</summary>
    private Membership? _membership;
    private bool _joining;

    public ReadyProcessor(string node, Raft raft, KvStore store, DurableLog log, IHardStateStore hardStateStore,
        SnapshotScheduler snapshots, SnapshotInstaller installer, HostOutbox outbox, Proposals proposals, PendingReads reads,
        ReplicationLagClock lagClock, ElectionObserver elections, ReplicationTracing replicationTracing,
        SecondaryTracing secondaryTracing, ILogger logger)
    {
        (_node, _raft, _store, _log, _hardStateStore, _snapshots, _installer, _outbox) =
            (node, raft, store, log, hardStateStore, snapshots, installer, outbox);
        (_proposals, _reads, _lagClock, _elections, _replicationTracing, _secondaryTracing, _logger) =
            (proposals, reads, lagClock, elections, replicationTracing, secondaryTracing, logger);
        _isWaiting = proposals.IsWaiting;
        _softState = raft.SoftState;
        _joining = raft.Joining;
    }

    public void Process(Ready ready)
    {
        var before = _softState;
        var after = ready.SoftState;
        _softState = after;
        Transitioned(before, after);

        if (after.Role == Role.Primary)
        {
            foreach (var entry in ready.EntriesToPersist)
                _lagClock.Appended(entry.Index);
        }
        // A primary's own copy counts towards a quorum only once durable (Log.DurableIndex), so it may ship
        // entries while it writes them (Raft thesis §10.2.1): its fsync and the secondaries' overlap. A
        // secondary's acknowledgements cover only what is durable already. Other messages may promise what
        // this Ready writes (a vote, a truncation): they wait.
        var sendFirst = ready.DurabilityMayFollow;
        if (sendFirst)
            _outbox.Send(ready.Messages);
        var entriesDurable = Persist(ready, after);
        if (!sendFirst)
            _outbox.Send(ready.Messages);

        // Acknowledgements stepped since the last Ready end their replicate spans before the writes they complete
        // are applied: a span whose command is still waiting then ends before that command's span.
        ObserveAcknowledgements();
        Apply(ready, after);

        if (before.Role == Role.Primary && after.Role != Role.Primary)
        {
            _proposals.FailAll(after.Term);
            _replicationTracing.PrimaryLost();
        }
        if (before.Role == Role.Primary && (after.Role != Role.Primary || after.Term != before.Term))
            _reads.FailUnconfirmed(after.Primary, after.Term);

        _raft.Advance(ready, entriesDurable);
    }

    /// <summary>Notes a new role, term, primary or configuration before anything is sent: a new candidate's election span
    /// must exist for its vote requests to carry.</summary>
    private void Transitioned(SoftState before, SoftState after)
    {
        if (after.Role == Role.Primary && before.Role != Role.Primary)
        {
            _lagClock.BecamePrimary();
            _secondaryTracing.Forget();
        }
        if (after.Role != before.Role || after.Primary != before.Primary || after.Term != before.Term)
        {
            Log.RoleChanged(_logger, _node, after.Role, after.Term, after.Primary ?? "(none)");
            _elections.RoleChanged(before, after);
        }
        if (!ReferenceEquals(_raft.Membership, _membership))
        {
            _membership = _raft.Membership;
            var place = _membership.IsVoter(_node) ? "voter" : _membership.IsLearner(_node) ? "learner" : "not a member";
            Log.MembershipInForce(_logger, _node, _membership.ToString(), place);
        }
    }

    /// <summary>Installs the Ready's snapshot, writes its entries and hard state; returns whether the entries are durable now.</summary>
    private bool Persist(Ready ready, SoftState after)
    {
        if (ready.Snapshot is { } snapshot)
            _installer.Install(snapshot);
        if (after.Role != Role.Primary)
            _secondaryTracing.Persisting(ready.EntriesToPersist);
        var entriesDurable = _log.Persist(ready);
        if (ready.HardState is { } hardState)
        {
            _hardStateStore.Save(hardState);
            if (_joining && !hardState.Joining)
                Log.NodePromoted(_logger, _node, hardState.Term, after.Primary ?? hardState.VotedFor ?? "(none)");
            _joining = hardState.Joining;
        }
        if (entriesDurable && ready.EntriesToPersist.Count > 0)
            _secondaryTracing.Durable(ready.EntriesToPersist[^1].Index);
        if (ready.TruncateFrom is { } truncatedFrom)
            _proposals.Truncated(truncatedFrom, after.Term);
        if (entriesDurable)
            _proposals.Persisted(ready.EntriesToPersist);
        else
            _proposals.Written(ready.EntriesToPersist);
        return entriesDurable;
    }

    private void Apply(Ready ready, SoftState after)
    {
        var apply = after.Role == Role.Primary ? null : _secondaryTracing.Applying(ready.CommittedEntries);
        foreach (var entry in ready.CommittedEntries)
        {
            _proposals.Applied(entry, _store.Apply(entry));
            _snapshots.Applied(entry);
        }
        apply?.Dispose();
        _reads.Confirmed(ready.ReadStates, _store.AppliedIndex);
        if (ready.CommittedEntries.Count > 0)
            _snapshots.MaybeStart(_store, _raft.Log.TermAt);
    }

    /// <summary>Secondaries' match indexes moved: end the spans and lag timestamps they cover.</summary>
    private void ObserveAcknowledgements()
    {
        if (_raft.Role != Role.Primary)
            return;
        var slowest = long.MaxValue;
        foreach (var peer in _raft.Peers)
        {
            var match = _raft.ProgressOf(peer)!.Match;
            _replicationTracing.Acknowledged(peer, match, _isWaiting);
            slowest = Math.Min(slowest, match);
        }
        _lagClock.ForgetThrough(slowest);
    }
}
