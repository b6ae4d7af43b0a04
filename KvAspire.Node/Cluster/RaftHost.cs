using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Cluster;

/// <summary>
/// The single loop around the pure core: it feeds in ticks, peer messages and client writes, then
/// carries out each <see cref="Ready"/> in the order the core requires (persist, send, apply, advance)
/// and publishes a <see cref="ClusterStatus"/> (<see cref="StatusPublisher"/>). Only this loop touches the core; its fsyncs run
/// beside it (<see cref="GroupCommit"/>) and come back as inputs.
/// </summary>
public sealed class RaftHost : BackgroundService, IHostedLifecycleService, IPeerReceiver
{
    private const int MaxInputsPerBatch = 1024;
    private const int MaxReadiesPerBatch = 4;
    /// <summary>Client inputs a batch takes even when time and peers used its tick: on a machine so loaded that every batch
    /// overruns, clients still make progress.</summary>
    private const int MinClientInputsPerBatch = 64;

    private readonly HostInbox _inbox;
    private readonly Raft _raft;
    private readonly KvStore _store;
    private readonly IHardStateStore _hardStateStore;
    private readonly DurableLog _log;
    private readonly ISnapshotStore _snapshotStore;
    private readonly SnapshotScheduler _snapshots;
    private readonly long _catchUpEntries;
    private readonly long _catchUpBytes;
    private readonly IPeerTransport _transport;
    private readonly Proposals _proposals = new();
    private readonly ClientDeadlines<WriteOutcome> _writeDeadlines;
    private readonly ClientDeadlines<ReadPermit> _readDeadlines;
    private readonly PendingReads _reads = new();
    private readonly PendingStepDowns _stepDowns = new();
    private readonly ClusterOptions _options;
    private readonly ReplicationOptions _replication;
    private readonly ILogger<RaftHost> _logger;
    private readonly TimeProvider _time;
    private readonly ElectionObserver _elections;
    private readonly ReplicationTracing _replicationTracing;
    private readonly SecondaryTracing _secondaryTracing;
    /// <summary><see cref="Proposals.CommandOf"/> and <see cref="Proposals.IsWaiting"/> as delegates made once: the
    /// tracing calls take them per message and per peer, and a method group would allocate on every call.</summary>
    private readonly Func<long, ActivityContext?> _commandOf;
    private readonly Func<long, bool> _isWaiting;
    private readonly ReplicationLagClock _lagClock;
    private readonly LoopStalls _stalls;
    private readonly PeerContact _contact;
    private readonly NodeMetrics _metrics;
    /// <summary>Under <see cref="ReadMode.Lease"/>: the core's ticks follow the monotonic clock, so a pause is counted before
    /// a read is answered from the lease. Null under ReadIndex, which needs no clock: one tick per timer firing.</summary>
    private readonly TickClock? _tickClock;
    private SoftState _softState;
    /// <summary>The configuration last logged as in force.</summary>
    private Membership? _membership;
    private bool _joining;
    /// <summary>The loop has ended (stopping, or its disk failed): nothing more will be proposed or read.</summary>
    private volatile bool _stopped;
    private readonly CancellationTokenSource _peerStreamsEnding = new();
    private readonly StatusPublisher _status;
    private SnapshotMetadata? _received;
    private PreparedStore? _receivedState;
    /// <summary>The primary's commit index in the latest Replicate heard from it, which ends a catch-up.</summary>
    private long _primaryCommit;
    private CancellationToken _stopping;

    public RaftHost(IOptions<ClusterOptions> options, IOptions<ReplicationOptions> replication, KvStore store,
        IHardStateStore hardStateStore, ILogStore logStore, ISnapshotStore snapshots, IOptions<StorageOptions> storage,
        IPeerTransport transport,
        PeerDirectory peers, NodeMetrics metrics, ILogger<RaftHost> logger, TimeProvider time, RecoveredState recovered)
    {
        _options = options.Value;
        _inbox = new HostInbox(_options.MaxQueuedInputs, _options.MaxQueuedBytes);
        _replication = replication.Value;
        _writeDeadlines = new(_replication.WriteTimeout, time, static after => new WriteOutcome.TimedOut(after));
        _readDeadlines = new(_replication.WriteTimeout, time, static after => new ReadPermit.TimedOut(after));
        _store = store;
        _hardStateStore = hardStateStore;
        _transport = transport;
        _logger = logger;
        _time = time;
        _log = new DurableLog(logStore, storage.Value.Fsync, time,
            (index, term, failure) => _inbox.TryPost(new HostInput.LogDurable(index, term, failure)));
        _snapshotStore = snapshots;
        _catchUpEntries = storage.Value.CatchUpEntries;
        _catchUpBytes = storage.Value.CatchUpBytes;
        _snapshots = new SnapshotScheduler(snapshots, storage.Value,
            saved => _inbox.TryPost(new HostInput.SnapshotSaved(saved)),
            (failure, attempts) =>
            {
                metrics.SnapshotFailed();
                if (attempts >= SnapshotScheduler.MaxAttempts)
                    _inbox.TryPost(new HostInput.SnapshotFailed(failure));
            }, logger, time);
        // Under Fsync=Always a secondary's entries are synced beside its loop too, which then goes on receiving.
        var raftOptions = _options.ToRaftOptions() with { AsyncStorageWrites = storage.Value.Fsync == FsyncPolicy.Always };
        // Every node is configured with the same founding members; a node started to join at runtime is not one of them.
        var founding = _options.Members.Length > 0 ? _options.Members : [.. peers.Names, _options.NodeId];
        _raft = new Raft(_options.NodeId, founding, raftOptions, new Random(), recovered.HardState, recovered.Entries, recovered.Snapshot,
            _store.Membership, founder: founding.Contains(_options.NodeId));
        _softState = _raft.SoftState;
        _joining = _raft.Joining;
        _elections = new ElectionObserver(_options.NodeId, metrics, logger, time);
        _replicationTracing = new ReplicationTracing(_options.NodeId);
        _secondaryTracing = new SecondaryTracing(_options.NodeId);
        _commandOf = _proposals.CommandOf;
        _isWaiting = _proposals.IsWaiting;
        _lagClock = new ReplicationLagClock(time);
        _contact = new PeerContact(time, _options.ElectionMin);
        _metrics = metrics;
        _stalls = new LoopStalls(time, _options.ElectionMin / 4, metrics, logger, _options.NodeId);
        _tickClock = raftOptions.ReadMode == ReadMode.Lease ? new TickClock(time, _options.Tick) : null;
        _status = new StatusPublisher(_options.NodeId, _raft, _store, _log, _contact, _lagClock, Syncing, time, _options.Tick);
        metrics.Observe(() => _status.Current);
        Log.NodeStarting(_logger, _options.NodeId, recovered.HardState.Term, _raft.Standing, _raft.Membership.ToString());
        if (_raft.Joining)
            Log.NodeJoining(_logger, _options.NodeId);
    }

    public ClusterStatus Status => _status.Current;

    /// <summary>A catch-up from the primary's snapshot, if any: the receiving call reports the transfer, this loop the rest.</summary>
    public Syncing Syncing { get; } = new();

    long IPeerReceiver.Term => Status.Term;
    bool IPeerReceiver.TryBeginSnapshot(string from, long snapshotIndex, long bytesTotal) => Syncing.TryBegin(from, snapshotIndex, bytesTotal);
    void IPeerReceiver.SnapshotBytesReceived(long bytes) => Syncing.Received(bytes);
    void IPeerReceiver.SnapshotAbandoned() => Syncing.Abandoned();

    /// <summary>Completes when the loop next publishes a status: at the end of its next batch, since taking it asks for one.</summary>
    public Task StatusChanged => _status.Changed;

    /// <summary>Completes when the loop next publishes a different role, term or primary: rare, unlike
    /// <see cref="StatusChanged"/>, which fires thousands of times a second under load, so a watcher of roles
    /// costs nothing per write.</summary>
    public Task RoleChanged => _status.RoleChanged;

    /// <summary>Queue a message received from a peer; dropped when the loop is this far behind (peers resend).</summary>
    /// <param name="trace">The span the message travelled under (a sampled write's replicate span, a candidate's
    /// election span), which this node's spans of it join; default for none.</param>
    public void Deliver(Message message, ActivityContext trace = default)
    {
        var receive = trace == default ? null : SecondaryTracing.Receiving(message, trace, _options.NodeId);
        var input = new HostInput.Deliver(message, _time.GetTimestamp(), trace, receive);
        if (_inbox.TryPost(input))
            return;
        _metrics.InputRefused("peer_message");
        receive?.SetStatus(ActivityStatusCode.Error, "refused: the host loop's queue is full");
        receive?.Dispose();
    }

    /// <summary>Queue a primary's snapshot message; <paramref name="received"/> is the snapshot it names, whole on disk.</summary>
    public void DeliverSnapshot(InstallSnapshot message, SnapshotMetadata received, PreparedStore state)
    {
        Syncing.HandedOver();
        if (_inbox.TryPost(new HostInput.DeliverSnapshot(message, received, state)))
            return;
        _snapshotStore.Discard(received);
        Syncing.Abandoned();
    }

    /// <summary>Propose a client write and wait for it to be acknowledged under <paramref name="acknowledge"/>, at most
    /// <see cref="ReplicationOptions.WriteTimeout"/>.</summary>
    public Task<WriteOutcome> ProposeAsync(byte[] data, Acknowledge acknowledge)
    {
        if (_stopped)
            return Task.FromResult<WriteOutcome>(new WriteOutcome.NotPrimary(null, Status.Term));
        var completion = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Only a sampled command's span is kept for replication to trace under: unsampled writes carry nothing.
        var command = Activity.Current is { Recorded: true } current ? current.Context : (ActivityContext?)null;
        if (!_inbox.TryPostClient(new HostInput.Propose(data, acknowledge, completion, command)))
        {
            _metrics.InputRefused("write");
            return Task.FromResult<WriteOutcome>(new WriteOutcome.Overloaded(_inbox.QueuedClientInputs));
        }
        return _writeDeadlines.Wait(completion);
    }

    /// <summary>
    /// Waits until a read may be served from the state machine without being stale (ReadIndex: a majority
    /// confirmed this node is still primary after the read arrived, and everything committed before then is
    /// applied), or until this node turns out not to be primary; at most <see cref="ReplicationOptions.WriteTimeout"/>.
    /// </summary>
    /// <param name="after">An entry the read must also see: the client's last write, which under
    /// <see cref="Acknowledge.Primary"/> was acknowledged before it committed (read-your-writes).</param>
    public Task<ReadPermit> ReadAsync(long after = 0)
    {
        if (_stopped)
            return Task.FromResult<ReadPermit>(new ReadPermit.NotPrimary(null, Status.Term));
        var completion = new TaskCompletionSource<ReadPermit>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.TryPostClient(new HostInput.Read(completion, after)))
        {
            _metrics.InputRefused("read");
            return Task.FromResult<ReadPermit>(new ReadPermit.Overloaded(_inbox.QueuedClientInputs));
        }
        return _readDeadlines.Wait(completion);
    }

    /// <summary>
    /// Proposes a membership change and, once the core took it, waits until it commits: the core's answer, and the
    /// commit's (null when the core refused). Either wait lasts at most <see cref="ReplicationOptions.WriteTimeout"/>.
    /// </summary>
    public async Task<(MembershipChangeResult? Result, WriteOutcome? Committed)> ChangeMembershipAsync(MembershipChange change)
    {
        if (_stopped)
            return (new MembershipChangeResult(MembershipChangeStatus.NotPrimary, 0, Status.Term, null), null);
        var completion = new TaskCompletionSource<MembershipChangeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var committed = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.TryPost(new HostInput.ChangeMembership(change, completion, committed)))
            return (null, new WriteOutcome.Overloaded(_inbox.QueuedClientInputs));
        MembershipChangeResult result;
        try
        {
            result = await completion.Task.WaitAsync(_replication.WriteTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return (null, new WriteOutcome.TimedOut(_replication.WriteTimeout));
        }
        return result.Accepted ? (result, await _writeDeadlines.Wait(committed).ConfigureAwait(false)) : (result, null);
    }

    /// <summary>
    /// Hands the primary role to <paramref name="to"/> (or the most up-to-date secondary) and waits until the new
    /// primary is known, at most <paramref name="timeout"/>.
    /// </summary>
    public Task<StepDownOutcome> StepDownAsync(string? to, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<StepDownOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.TryPost(new HostInput.StepDown(to, completion)))
            return Task.FromResult<StepDownOutcome>(new StepDownOutcome.NotPrimary(null, Status.Term));
        return AnswerAsync(completion, timeout, static after => new StepDownOutcome.Pending(after), cancellationToken);
    }

    /// <summary>The loop's answer to an input it was handed with <paramref name="completion"/>, or, if none came within
    /// <paramref name="timeout"/>, what <paramref name="timedOut"/> makes of that.</summary>
    private async Task<T> AnswerAsync<T>(TaskCompletionSource<T> completion, TimeSpan timeout, Func<TimeSpan, T> timedOut,
        CancellationToken cancellationToken)
    {
        try
        {
            return await completion.Task.WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return timedOut(timeout);
        }
    }

    /// <summary>
    /// The host is stopping (SIGTERM, a rolling update): a primary first hands its role to the most up-to-date
    /// secondary, so clients wait one round trip instead of a whole election timeout. Runs before any service
    /// stops, while Kestrel still carries peer messages and client requests. Bounded by the election timeout:
    /// after it the node stops anyway and the others elect a primary as after a crash.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Status.Role != Role.Primary || _stopped)
                return;
            var outcome = await StepDownAsync(to: null, _options.ElectionMin, cancellationToken);
            Log.HandedOverOnStop(_logger, _options.NodeId, outcome.ToString());
        }
        finally
        {
            await _peerStreamsEnding.CancelAsync();
        }
    }

    /// <summary>Cancelled once this node no longer needs its peers' messages (it has handed over, or its loop ended):
    /// the peer streams it receives end then, so the web server can stop.</summary>
    public CancellationToken PeerStreamsEnding => _peerStreamsEnding.Token;

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var ticker = TickAsync(stoppingToken);
        try
        {
            // Work left over (a long run of committed entries, applied a slice per Ready, or more client inputs than
            // one batch takes) skips the wait, but inputs that arrived meanwhile, ticks and heartbeats among them,
            // are handled between slices, ahead of the clients still waiting. A batch's client work ends once it
            // has taken a tick (after a minimum share): time and peers are then never much more than a tick late, however
            // deep the backlog.
            while ((!stoppingToken.IsCancellationRequested && (_raft.HasReady || _inbox.HasClientInputs)) || await _inbox.WaitAsync(stoppingToken))
            {
                var started = _time.GetTimestamp();
                _stalls.BatchStarting();
                var (inputs, applied) = (0, 0);
                for (; inputs < MaxInputsPerBatch && _inbox.TryTakeFirst(out var input); inputs++)
                    Handle(input);
                for (var i = 0; i < MaxInputsPerBatch && (i < MinClientInputsPerBatch || !Overdue(started)) && _inbox.TryTakeClient(out var input); i++, inputs++)
                    Handle(input);
                for (var i = 0; i < MaxReadiesPerBatch && _raft.HasReady && (i == 0 || !Overdue(started)); i++)
                {
                    var ready = _raft.TakeReady();
                    applied += ready.CommittedEntries.Count;
                    Process(ready);
                }
                _stepDowns.Update(_raft);
                _status.Publish(_primaryCommit);
                _stalls.BatchEnded(inputs, applied);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A write or fsync failed (a full or failing disk): what this node wrote since its last good fsync
            // may or may not be on disk, and only a restart, reading the log back, can tell. Waiting clients
            // learn now rather than at their timeout, and the node stops with its own exit code (the host
            // stops when this service throws; Program returns the code).
            Log.DiskFailed(_logger, _options.NodeId, _raft.Term, _raft.Primary ?? "(none)", e);
            await EndAsync();
            Environment.ExitCode = NodeExitCodes.DiskFailed;
            throw;
        }
        await EndAsync();
        await ticker;
        await _snapshots.WhenIdle();
        _log.Dispose();
    }

    /// <summary>The loop has ended: whatever waits for it is told it will not hear back (a proposed write may or
    /// may not have been applied; one still queued was never proposed), and the peer streams may close.</summary>
    private async Task EndAsync()
    {
        _stopped = true;
        var term = _raft.Term;
        var primary = _raft.Primary == _options.NodeId ? null : _raft.Primary;
        _proposals.FailAll(term);
        _reads.FailAll(primary, term);
        _inbox.Complete();
        while (_inbox.TryTakeFirst(out var input) || _inbox.TryTakeClient(out input))
        {
            switch (input)
            {
                case HostInput.Propose propose:
                    propose.Completion.TrySetResult(new WriteOutcome.NotPrimary(primary, term));
                    break;
                case HostInput.Read read:
                    read.Completion.TrySetResult(new ReadPermit.NotPrimary(primary, term));
                    break;
                case HostInput.ChangeMembership change:
                    change.Completion.TrySetResult(new MembershipChangeResult(MembershipChangeStatus.NotPrimary, 0, term, primary));
                    break;
                case HostInput.StepDown stepDown:
                    stepDown.Completion.TrySetResult(new StepDownOutcome.NotPrimary(primary, term));
                    break;
            }
        }
        await _peerStreamsEnding.CancelAsync();
    }

    private bool Overdue(long started) => _time.GetElapsedTime(started) >= _options.Tick;

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                _inbox.TryPost(HostInput.Tick.Instance);
                _writeDeadlines.Sweep();
                _readDeadlines.Sweep();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CatchUpTicks()
    {
        for (var due = _tickClock!.Due(); due > 0; due--)
            _raft.Tick();
    }

    private void Handle(HostInput input)
    {
        switch (input)
        {
            case HostInput.Tick:
                if (_tickClock is null)
                    _raft.Tick();
                else
                    CatchUpTicks();
                _log.OnTick();
                break;
            case HostInput.Deliver deliver:
                _elections.Delivered(deliver.Message, deliver.Arrived, deliver.Trace);
                _contact.Heard(deliver.Message.From);
                var rejectedBefore = _raft.RejectedMessages;
                _raft.Step(deliver.Message);
                if (_raft.RejectedMessages != rejectedBefore)
                {
                    _metrics.PeerMessageRejected("inconsistent_with_log");
                    Log.PeerMessageRejected(_logger, deliver.Message.From, "inconsistent_with_log",
                        $"{deliver.Message} names entries or read rounds this node never sent");
                }
                if (deliver.Message is Replicate replicate && _raft.Primary == replicate.From && _raft.Term == replicate.Term)
                    _primaryCommit = replicate.CommitIndex;
                _secondaryTracing.Received(deliver.Message, deliver.Receive, deliver.Trace);
                break;
            case HostInput.Propose propose:
                var result = _raft.Propose(propose.Data);
                if (result.Accepted)
                    _proposals.Add(result.Index, result.Term, propose.Acknowledge, propose.Completion, propose.Command);
                else
                    propose.Completion.TrySetResult(new WriteOutcome.NotPrimary(result.Primary, result.Term));
                break;
            case HostInput.Read read:
                if (_tickClock is not null)
                    CatchUpTicks(); // the lease is judged now, after any pause this loop just woke from
                var id = _reads.Add(read.Completion, read.After);
                if (!_raft.ReadIndex(id))
                    _reads.Reject(id, _raft.Primary, _raft.Term);
                break;
            case HostInput.ChangeMembership change:
                var changed = _raft.ChangeMembership(change.Change);
                if (changed.Accepted)
                {
                    _proposals.Add(changed.Index, changed.Term, Acknowledge.Quorum, change.Committed, command: null);
                    Log.MembershipChangeProposed(_logger, change.Change.Kind, change.Change.Id, changed.Index, _raft.Membership.ToString());
                }
                change.Completion.TrySetResult(changed);
                break;
            case HostInput.StepDown stepDown:
                _stepDowns.Start(_raft, stepDown.To, stepDown.Completion);
                break;
            case HostInput.DeliverSnapshot deliver:
                _received = deliver.Received;
                _receivedState = deliver.State;
                _raft.Step(deliver.Message with { Membership = deliver.State.Membership });
                // Install (or discard) it now, so a second snapshot later in this batch cannot take its place.
                while (_raft.HasReady)
                    Process(_raft.TakeReady());
                DiscardUninstalledSnapshot();
                Syncing.Settled();
                break;
            case HostInput.SnapshotSaved saved:
                var marker = new SnapshotMarker(saved.Snapshot.Index, saved.Snapshot.Term);
                _raft.SnapshotTaken(marker, CatchUpWindow.CompactThrough(_raft.Log, marker.Index, _catchUpEntries, _catchUpBytes));
                _log.Compact(_raft.Log.Start.Index);
                break;
            case HostInput.SnapshotFailed failed:
                throw new IOException($"Saving a snapshot failed {SnapshotScheduler.MaxAttempts} times in a row; without snapshots the log would grow until the disk is full.", failed.Failure);
            case HostInput.SnapshotShipped shipped:
                _raft.ReportSnapshot(shipped.Peer, shipped.Delivered);
                break;
            case HostInput.LogDurable { Failure: { } failure }:
                // What was written since the last good fsync may or may not be on disk: only a restart,
                // which reads the log back, can tell.
                throw new IOException("Forcing the replication log to disk failed; the node stops rather than acknowledge what it may lose.", failure);
            case HostInput.LogDurable durable:
                if (_raft.Log.TermAt(durable.Index) == durable.Term)
                {
                    _proposals.Durable(durable.Index);
                    _secondaryTracing.Durable(durable.Index);
                }
                _raft.LogDurable(durable.Index, durable.Term);
                break;
        }
    }

    /// <summary>A received snapshot the core did not ask to install (it caught up from the log meanwhile,
    /// or the message was stale) is only taking space.</summary>
    private void DiscardUninstalledSnapshot()
    {
        if (_received is null)
            return;
        _snapshotStore.Discard(_received);
        _received = null;
        _receivedState = null;
    }

    /// <summary>Replaces the state machine with the primary's snapshot, durably, before anything else of the Ready.</summary>
    private void InstallSnapshot(SnapshotMarker snapshot)
    {
        if (_received is not { } received || received.Index != snapshot.Index || received.Term != snapshot.Term)
            throw new InvalidOperationException($"The core installs snapshot {snapshot} but the host received {_received?.Index}/{_received?.Term}.");
        var state = _receivedState!;
        _received = null;
        _receivedState = null;
        var installed = _snapshotStore.Install(received);
        if (installed.Index != snapshot.Index)
            throw new InvalidOperationException($"Installing snapshot {snapshot} left {installed.Index}/{installed.Term} as the newest.");
        _store.Restore(state);
        _snapshots.Installed();
        Log.SnapshotInstalled(_logger, installed.Index, installed.Term, _store.Count);
    }

    private void Send(IReadOnlyList<Message> messages)
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

    /// <summary>Streams a snapshot on the thread pool; its outcome comes back to the loop as an input.</summary>
    private async Task ShipSnapshotAsync(InstallSnapshot message)
    {
        try
        {
            var delivered = await _transport.SendSnapshotAsync(message, _stopping).ConfigureAwait(false);
            _inbox.TryPost(new HostInput.SnapshotShipped(message.To, delivered));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void Process(Ready ready)
    {
        var before = _softState;
        var after = ready.SoftState;
        _softState = after;
        if (after.Role == Role.Primary && before.Role != Role.Primary)
        {
            _lagClock.BecamePrimary();
            _secondaryTracing.Forget();
        }
        // Before anything is sent: a new candidate's election span must exist for its vote requests to carry.
        if (after.Role != before.Role || after.Primary != before.Primary || after.Term != before.Term)
        {
            Log.RoleChanged(_logger, _options.NodeId, after.Role, after.Term, after.Primary ?? "(none)");
            _elections.RoleChanged(before, after);
        }
        if (!ReferenceEquals(_raft.Membership, _membership))
        {
            _membership = _raft.Membership;
            var place = _membership.IsVoter(_options.NodeId) ? "voter" : _membership.IsLearner(_options.NodeId) ? "learner" : "not a member";
            Log.MembershipInForce(_logger, _options.NodeId, _membership.ToString(), place);
        }

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
            Send(ready.Messages);

        if (ready.Snapshot is { } snapshot)
            InstallSnapshot(snapshot);
        if (after.Role != Role.Primary)
            _secondaryTracing.Persisting(ready.EntriesToPersist);
        var entriesDurable = _log.Persist(ready);
        if (ready.HardState is { } hardState)
        {
            _hardStateStore.Save(hardState);
            if (_joining && !hardState.Joining)
                Log.NodePromoted(_logger, _options.NodeId, hardState.Term, after.Primary ?? hardState.VotedFor ?? "(none)");
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

        if (!sendFirst)
            Send(ready.Messages);

        // Acknowledgements stepped since the last Ready end their replicate spans before the writes they complete
        // are applied: a span whose command is still waiting then ends before that command's span.
        ObserveAcknowledgements();
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

        if (before.Role == Role.Primary && after.Role != Role.Primary)
        {
            _proposals.FailAll(after.Term);
            _replicationTracing.PrimaryLost();
        }
        if (before.Role == Role.Primary && (after.Role != Role.Primary || after.Term != before.Term))
            _reads.FailUnconfirmed(after.Primary, after.Term);

        _raft.Advance(ready, entriesDurable);
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
