using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;

namespace KvAspire.Node.Cluster;

/// <summary>
/// The one thread that touches the core: it takes batches of <see cref="HostInput"/>s from the <see cref="HostInbox"/>,
/// steps them into the <see cref="Raft"/>, has each <see cref="Ready"/> carried out (<see cref="ReadyProcessor"/>) and
/// offers the status after every batch (<see cref="StatusPublisher"/> publishes it at most once a tick, or on a change of role). Its fsyncs run beside it (<see cref="GroupCommit"/>) and come back as inputs.
/// </summary>
internal sealed class HostLoop
{
    private const int MaxInputsPerBatch = 1024;
    private const int MaxReadiesPerBatch = 4;
    /// <summary>Client inputs a batch takes even when time and peers used its tick: on a machine so loaded that every batch
    /// overruns, clients still make progress.</summary>
    private const int MinClientInputsPerBatch = 64;

    private readonly HostInbox _inbox;
    private readonly Raft _raft;
    private readonly DurableLog _log;
    private readonly Syncing _syncing;
    private readonly Proposals _proposals = new();
    private readonly PendingReads _reads = new();
    private readonly PendingStepDowns _stepDowns = new();
    private readonly SnapshotInstaller _installer;
    private readonly HostOutbox _outbox;
    private readonly ReadyProcessor _processor;
    private readonly ElectionObserver _elections;
    private readonly SecondaryTracing _secondaryTracing;
    private readonly PeerContact _contact;
    private readonly LoopStalls _stalls;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _tick;
    private readonly long _catchUpEntries;
    private readonly long _catchUpBytes;
    /// <summary>Under <see cref="ReadMode.Lease"/>: the core's ticks follow the monotonic clock, so a pause is counted before
    /// a read is answered from the lease. Null under ReadIndex, which needs no clock: one tick per timer firing.</summary>
    private readonly TickClock? _tickClock;
    /// <summary>The primary's commit index in the latest Replicate heard from it, which ends a catch-up.</summary>
    private long _primaryCommit;

    public HostLoop(ClusterOptions options, StorageOptions storage, Raft raft, KvStore store, DurableLog log,
        IHardStateStore hardStateStore, ISnapshotStore snapshotStore, SnapshotScheduler snapshots, IPeerTransport transport,
        HostInbox inbox, Syncing syncing, NodeMetrics metrics, ILogger logger, TimeProvider time)
    {
        (_inbox, _raft, _log, _syncing, _metrics, _logger, _time) = (inbox, raft, log, syncing, metrics, logger, time);
        (_tick, _catchUpEntries, _catchUpBytes) = (options.Tick, storage.CatchUpEntries, storage.CatchUpBytes);
        _elections = new ElectionObserver(options.NodeId, metrics, logger, time);
        var replicationTracing = new ReplicationTracing(options.NodeId);
        _secondaryTracing = new SecondaryTracing(options.NodeId);
        var lagClock = new ReplicationLagClock(time);
        _contact = new PeerContact(time, options.ElectionMin);
        _stalls = new LoopStalls(time, options.ElectionMin / 4, metrics, logger, options.NodeId);
        _tickClock = options.ReadMode == ReadMode.Lease ? new TickClock(time, options.Tick) : null;
        _installer = new SnapshotInstaller(snapshotStore, store, snapshots, logger);
        _outbox = new HostOutbox(transport, inbox, _elections, replicationTracing, _proposals);
        _processor = new ReadyProcessor(options.NodeId, raft, store, log, hardStateStore, snapshots, _installer, _outbox, _proposals,
            _reads, lagClock, _elections, replicationTracing, _secondaryTracing, logger);
        Status = new StatusPublisher(options.NodeId, raft, store, log, _contact, lagClock, syncing, time, options.Tick);
    }

    public StatusPublisher Status { get; }

    /// <summary>Runs batches until <paramref name="stoppingToken"/> is cancelled; a failed write or fsync ends it by throwing.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _outbox.Stopping = stoppingToken;
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
                    _processor.Process(ready);
                }
                _stepDowns.Update(_raft);
                Status.Publish(_primaryCommit);
                _stalls.BatchEnded(inputs, applied);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The loop has ended: whatever waits for it is told it will not hear back (a proposed write may or
    /// may not have been applied; one still queued was never proposed).</summary>
    public void End()
    {
        var term = _raft.Term;
        var primary = _raft.Primary == _raft.Id ? null : _raft.Primary;
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
    }

    private bool Overdue(long started) => _time.GetElapsedTime(started) >= _tick;

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
                Step(deliver);
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
                Install(deliver);
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

    private void Step(HostInput.Deliver deliver)
    {
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
    }

    private void Install(HostInput.DeliverSnapshot deliver)
    {
        _installer.Hold(deliver.Received, deliver.State);
        _raft.Step(deliver.Message with { Membership = deliver.State.Membership });
        // Install (or discard) it now, so a second snapshot later in this batch cannot take its place.
        while (_raft.HasReady)
            _processor.Process(_raft.TakeReady());
        _installer.DiscardUninstalled();
        _syncing.Settled();
    }
}
