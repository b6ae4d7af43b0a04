using System.Threading.Channels;
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
/// and publishes a <see cref="ClusterStatus"/>. Only this loop touches the core.
/// </summary>
public sealed class RaftHost : BackgroundService
{
    private const int MaxInputsPerBatch = 1024;

    private readonly Channel<HostInput> _inbox = Channel.CreateUnbounded<HostInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Raft _raft;
    private readonly KvStore _store;
    private readonly IHardStateStore _hardStateStore;
    private readonly IPeerTransport _transport;
    private readonly Proposals _proposals = new();
    private readonly ClusterOptions _options;
    private readonly ReplicationOptions _replication;
    private readonly ILogger<RaftHost> _logger;
    private readonly TimeProvider _time;
    private volatile ClusterStatus _status;
    private TaskCompletionSource _statusChanged = NewSignal();
    private bool _seenPrimary;

    public RaftHost(IOptions<ClusterOptions> options, IOptions<ReplicationOptions> replication, KvStore store,
        IHardStateStore hardStateStore, IPeerTransport transport, PeerDirectory peers, ILogger<RaftHost> logger,
        TimeProvider time)
    {
        _options = options.Value;
        _replication = replication.Value;
        _store = store;
        _hardStateStore = hardStateStore;
        _transport = transport;
        _logger = logger;
        _time = time;
        var hardState = hardStateStore.Load();
        _raft = new Raft(_options.NodeId, peers.Names, _options.ToRaftOptions(), new Random(), hardState, log: []);
        _status = BuildStatus();
        Log.NodeStarting(_logger, _options.NodeId, hardState.Term, string.Join(",", peers.Names));
    }

    public ClusterStatus Status => _status;

    /// <summary>Completes when the loop next publishes a status (after every batch, so at least once a tick).</summary>
    public Task StatusChanged => _statusChanged.Task;

    /// <summary>Queue a message received from a peer.</summary>
    public void Deliver(Message message) => _inbox.Writer.TryWrite(new HostInput.Deliver(message));

    /// <summary>Propose a client write and wait for it to be acknowledged under <paramref name="acknowledge"/>.</summary>
    public async Task<WriteOutcome> ProposeAsync(byte[] data, Acknowledge acknowledge, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inbox.Writer.TryWrite(new HostInput.Propose(data, acknowledge, completion)))
            return new WriteOutcome.NotPrimary(null, _status.Term);
        try
        {
            return await completion.Task.WaitAsync(_replication.WriteTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new WriteOutcome.TimedOut(_replication.WriteTimeout);
        }
    }

    /// <summary>
    /// Completes with the status once this node can serve reads (it is primary and has applied every
    /// entry committed before its term), or with a non-primary status; waits at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<ClusterStatus> WaitUntilReadableAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var signal = _statusChanged.Task;
            var status = _status;
            if (status.Role != Role.Primary || status.ServesReads)
                return status;
            try
            {
                await signal.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return _status;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ticker = TickAsync(stoppingToken);
        var reader = _inbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                for (var i = 0; i < MaxInputsPerBatch && reader.TryRead(out var input); i++)
                    Handle(input);
                while (_raft.HasReady)
                    Process(_raft.TakeReady());
                Publish();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        _proposals.FailAll(_raft.Term);
        await ticker;
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                _inbox.Writer.TryWrite(HostInput.Tick.Instance);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(HostInput input)
    {
        switch (input)
        {
            case HostInput.Tick:
                _raft.Tick();
                break;
            case HostInput.Deliver deliver:
                _raft.Step(deliver.Message);
                break;
            case HostInput.Propose propose:
                var result = _raft.Propose(propose.Data);
                if (result.Accepted)
                    _proposals.Add(result.Index, result.Term, propose.Acknowledge, propose.Completion);
                else
                    propose.Completion.TrySetResult(new WriteOutcome.NotPrimary(result.Primary, result.Term));
                break;
        }
    }

    private void Process(Ready ready)
    {
        var previous = _status;
        if (ready.HardState is { } hardState)
            _hardStateStore.Save(hardState);
        // The log itself lives in the core's memory until it gets its own store; handing the
        // entries over is what "persisted" means here.
        if (ready.TruncateFrom is { } truncatedFrom)
            _proposals.Truncated(truncatedFrom, ready.SoftState.Term);
        _proposals.Persisted(ready.EntriesToPersist);

        foreach (var message in ready.Messages)
            _transport.Send(message);

        foreach (var entry in ready.CommittedEntries)
            _proposals.Applied(entry, _store.Apply(entry));

        if (previous.Role == Role.Primary && ready.SoftState.Role != Role.Primary)
            _proposals.FailAll(ready.SoftState.Term);
        if (ready.SoftState.Role != previous.Role || ready.SoftState.Primary != previous.Primary || ready.SoftState.Term != previous.Term)
            Log.RoleChanged(_logger, _options.NodeId, ready.SoftState.Role, ready.SoftState.Term, ready.SoftState.Primary ?? "(none)");

        _raft.Advance(ready);
    }

    private void Publish()
    {
        _status = BuildStatus();
        Interlocked.Exchange(ref _statusChanged, NewSignal()).TrySetResult();
    }

    private ClusterStatus BuildStatus()
    {
        _seenPrimary |= _raft.Primary is not null;
        var state = _raft.Primary is not null ? ClusterState.Normal
            : _seenPrimary || _raft.Role == Role.Candidate ? ClusterState.Election
            : ClusterState.Starting;
        var peers = _raft.Peers.Select(peer => _raft.ProgressOf(peer) is { } progress
                ? new PeerStatus(peer, progress.Match, _raft.Log.LastIndex - progress.Match)
                : new PeerStatus(peer, null, null))
            .ToList();
        return new ClusterStatus(_options.NodeId, _raft.Role, state, _raft.Term, _raft.Primary, _raft.CommitIndex,
            _store.AppliedIndex, _store.AppliedDigest.ToString("x16"), _raft.Log.LastIndex, _raft.Log.LastTerm, Environment.ProcessId,
            _raft.HasCommittedInCurrentTerm && _store.AppliedIndex >= _raft.CommitIndex, _store.Count, peers);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
