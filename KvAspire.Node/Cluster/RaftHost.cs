using System.Diagnostics;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Storage;
using KvAspire.Node.Telemetry;
using KvAspire.Node.Transport;
using Microsoft.Extensions.Options;

namespace KvAspire.Node.Cluster;

/// <summary>
/// The node's consensus as the rest of the node sees it: clients propose writes and reads, peers deliver messages, and
/// everyone reads the <see cref="ClusterStatus"/>. Each of these is queued for the <see cref="HostLoop"/>, the one thread
/// that touches the core; this class starts that loop from the <see cref="RecoveredState"/>, hands the primary role over
/// when the node stops, and tells whatever still waits once the loop has ended.
/// </summary>
public sealed class RaftHost : BackgroundService, IHostedLifecycleService, IPeerReceiver
{
    private readonly HostInbox _inbox;
    private readonly Raft _raft;
    private readonly HostLoop _loop;
    private readonly StatusPublisher _status;
    private readonly DurableLog _log;
    private readonly ISnapshotStore _snapshotStore;
    private readonly SnapshotScheduler _snapshots;
    private readonly ClientDeadlines<WriteOutcome> _writeDeadlines;
    private readonly ClientDeadlines<ReadPermit> _readDeadlines;
    private readonly ClusterOptions _options;
    private readonly ReplicationOptions _replication;
    private readonly NodeMetrics _metrics;
    private readonly ILogger<RaftHost> _logger;
    private readonly TimeProvider _time;
    /// <summary>The loop has ended (stopping, or its disk failed): nothing more will be proposed or read.</summary>
    private volatile bool _stopped;
    private readonly CancellationTokenSource _peerStreamsEnding = new();

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
        _snapshotStore = snapshots;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _log = new DurableLog(logStore, storage.Value.Fsync, time,
            (index, term, failure) => _inbox.TryPost(new HostInput.LogDurable(index, term, failure)));
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
            store.Membership, founder: founding.Contains(_options.NodeId));
        _loop = new HostLoop(_options, storage.Value, _raft, store, _log, hardStateStore, snapshots, _snapshots, transport, _inbox,
            Syncing, metrics, logger, time);
        _status = _loop.Status;
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
        var ticker = TickAsync(stoppingToken);
        try
        {
            await _loop.RunAsync(stoppingToken);
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

    /// <summary>The loop has ended: nothing more is queued for it, whatever waits for it is told so, and the peer streams
    /// may close.</summary>
    private async Task EndAsync()
    {
        _stopped = true;
        _loop.End();
        await _peerStreamsEnding.CancelAsync();
    }

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
}
