namespace KvAspire.Node.Consensus;

/// <summary>
/// The election and replication rules as a pure, deterministic state machine (the model is
/// etcd-io/raft). Inputs: <see cref="Step"/> (a received message), <see cref="Tick"/> (time passing)
/// and <see cref="Propose"/> (a client write). Outputs are collected in a <see cref="Ready"/>. No
/// sockets, clocks, threads or disk: the host owns those, and one thread at a time calls in.
/// </summary>
public sealed partial class Raft
{
    private readonly RaftOptions _options;
    private readonly Random _random;
    private readonly Dictionary<string, Progress> _progress = [];
    private readonly HashSet<string> _votesGranted = [];
    private readonly HashSet<string> _votesRejected = [];
    private List<Message> _outbox = [];

    private HardState _hardState;
    private bool _hardStateDirty;
    private long _appliedIndex;
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private bool _flushPending;
    private bool _readRoundPending;
    private SoftState _lastSoftState;

    /// <param name="id">This node's name.</param>
    /// <param name="peers">The other founding members, all voters: the membership until the log holds a configuration.</param>
    /// <param name="random">The only source of randomness: seed it to replay a run exactly.</param>
    /// <param name="hardState">Term and vote as last persisted.</param>
    /// <param name="log">Entries as last persisted after <paramref name="snapshot"/>.</param>
    /// <param name="snapshot">The snapshot the state machine was restored from: it holds every entry up to its index.</param>
    /// <param name="snapshotMembership">The configuration <paramref name="snapshot"/> holds; null for none (taken before
    /// any membership change, or no snapshot).</param>
    /// <param name="founder">Whether this node is a founding member too; false for a node started to join an existing
    /// cluster as a learner.</param>
    public Raft(string id, IEnumerable<string> peers, RaftOptions options, Random random,
        HardState hardState, IEnumerable<Entry> log, SnapshotMarker snapshot = default,
        Membership? snapshotMembership = null, bool founder = true)
    {
        options.Validate();
        Id = id;
        var others = peers.Where(p => p != id);
        _foundingMembers = new Membership(founder ? others.Append(id) : others, []);
        _startMembership = snapshotMembership ?? _foundingMembers;
        _options = options;
        _random = random;
        _hardState = hardState;
        Log = new RaftLog(snapshot, log);
        LatestSnapshot = snapshot;
        CommitIndex = snapshot.Index;
        _appliedIndex = snapshot.Index;
        LoadMemberships();
        BecomeSecondary(hardState.Term, primary: null);
        _lastSoftState = SoftState;
        // Tell everyone at once that we vote or not and whether our log is empty, so a new cluster can be
        // founded at the first election timeout rather than the second.
        if (Joining)
            Probe();
    }

    public string Id { get; }
    public Role Role { get; private set; }
    public long Term => _hardState.Term;
    public string? VotedFor => _hardState.VotedFor;
    public string? Primary { get; private set; }
    public long CommitIndex { get; private set; }
    public RaftLog Log { get; }
    /// <summary>The newest snapshot the host holds: what a secondary missing compacted entries receives.</summary>
    public SnapshotMarker LatestSnapshot { get; private set; }
    /// <summary>The other members, voters and learners.</summary>
    public IReadOnlyList<string> Peers => _peers;
    public SoftState SoftState => new(Role, Term, Primary, CommitIndex);

    /// <summary>The primary's view of a secondary, or null on a non-primary.</summary>
    public Progress? ProgressOf(string peer) => Role == Role.Primary ? _progress.GetValueOrDefault(peer) : null;

    /// <summary>True once this primary has committed an entry of its own term, so its state
    /// machine holds every entry committed before it was elected (Raft §8).</summary>
    public bool HasCommittedInCurrentTerm => Role == Role.Primary && Log.TermAt(CommitIndex) == Term;

    public void Tick()
    {
        _ticks++;
        TickPromise();
        if (Role == Role.Primary)
            TickPrimary();
        else
            TickElection();
    }

    /// <summary>Messages dropped because a field was out of range or contradicted this node's log (never acted on).</summary>
    public long RejectedMessages { get; private set; }

    public void Step(Message message)
    {
        // The host checks messages at the edge too (to log and count why); the core never trusts its input.
        if (MessageCheck.Problem(message, Id) is not null)
        {
            RejectedMessages++;
            return;
        }
        HearStanding(message);

        if (message.Term > Term)
        {
            if (message is RequestVote { Transfer: false } && InPrimaryLease)
                return; // a primary is alive: a node that missed its heartbeats must not depose it
            if (!IsPreVoteTraffic(message))
                BecomeSecondary(message.Term, message is Replicate or InstallSnapshot ? message.From : null);
        }
        else if (message.Term < Term)
        {
            RespondToStaleSender(message);
            return;
        }
        else if (message is RequestVote { Transfer: false } && PromisedToPrimary)
        {
            return; // our term may have moved on without an election (Raft.Lease.cs): the promise still stands
        }

        switch (message)
        {
            case RequestVote vote:
                HandleRequestVote(vote);
                break;
            default:
                switch (Role)
                {
                    case Role.Primary: StepPrimary(message); break;
                    case Role.Candidate or Role.PreCandidate: StepCandidate(message); break;
                    default: StepSecondary(message); break;
                }
                break;
        }
    }

    public ProposeResult Propose(ReadOnlyMemory<byte> data)
    {
        if (Role != Role.Primary)
            return ProposeResult.NotPrimary(Term, Primary);
        if (_transferTarget is not null)
            return ProposeResult.NotPrimary(Term, _transferTarget); // handing over: the target is about to lead
        if (Membership.IsEntry(data.Span))
            throw new ArgumentException("A configuration is proposed with ChangeMembership, which tracks it.", nameof(data));
        var index = Log.Append(Term, data);
        _flushPending = true;
        return new ProposeResult(true, index, Term, Id);
    }

    public bool HasReady =>
        _hardStateDirty || Log.HasUnpersisted || _outbox.Count > 0 || CommitIndex > _appliedIndex
        || (Role == Role.Primary && (_flushPending || _readRoundPending)) || SoftState != _lastSoftState
        || _readStates.Count > 0;

    public Ready TakeReady()
    {
        if (Role == Role.Primary && _readRoundPending)
            FlushReadRound();
        if (Role == Role.Primary && _flushPending)
            FlushReplicate();

        var (snapshot, truncateFrom, entries) = Log.TakeUnpersisted();
        var applyThrough = Math.Min(CommitIndex, _appliedIndex + _options.MaxCommittedPerReady);
        var hardState = _hardStateDirty ? _hardState : (HardState?)null;
        var ready = new Ready
        {
            HardState = hardState,
            Snapshot = snapshot,
            TruncateFrom = truncateFrom,
            DurabilityMayFollow = hardState is null && snapshot is null && truncateFrom is null
                && (Role == Role.Primary || _options.AsyncStorageWrites),
            EntriesToPersist = entries,
            Messages = _outbox,
            CommittedEntries = Log.Range(_appliedIndex + 1, applyThrough),
            ReadStates = _readStates,
            SoftState = SoftState,
        };
        _hardStateDirty = false;
        _outbox = [];
        _readStates = [];
        _appliedIndex = applyThrough;
        _lastSoftState = ready.SoftState;
        return ready;
    }

    /// <summary>
    /// The host has done everything <paramref name="ready"/> asked. Nothing may be stepped, ticked or
    /// proposed between <see cref="TakeReady"/> and this call: the durable index it records assumes
    /// the log did not change meanwhile.
    /// </summary>
    /// <param name="ready">The Ready taken last.</param>
    /// <param name="entriesDurable">False when the host has written the entries but not yet forced them to disk
    /// (its group commit runs beside its loop); it reports them later with <see cref="LogDurable"/>. Only a Ready
    /// with <see cref="Ready.DurabilityMayFollow"/> may do that.</param>
    public void Advance(Ready ready, bool entriesDurable = true)
    {
        if (entriesDurable)
            Log.MarkDurable(ready.Snapshot, ready.TruncateFrom, ready.EntriesToPersist);
        else if (!ready.DurabilityMayFollow)
            throw new InvalidOperationException("This Ready promises what it persists (a vote, a truncation, a snapshot or, " +
                "without async storage writes, a secondary's acknowledgement): it must be durable before Advance.");
        Durable();
    }

    /// <summary>
    /// The host's log is on disk through <paramref name="index"/>, which held an entry of <paramref name="term"/>
    /// when the host wrote it. A report that a truncation overtook (another entry, or none, is there now) is
    /// ignored: the entry it vouched for is gone.
    /// </summary>
    public void LogDurable(long index, long term)
    {
        if (Log.MarkDurableThrough(index, term))
            Durable();
    }

    /// <summary>More of the log may be durable: a primary counts its own copy, a secondary acknowledges it.</summary>
    private void Durable()
    {
        if (Role == Role.Primary && MaybeCommit())
            _flushPending = true;
        else if (Role == Role.Secondary && _options.AsyncStorageWrites)
            AcknowledgeDurable();
    }

    private void Send(Message message)
    {
        var standing = Standing;
        _outbox.Add(standing == Standing.Voter ? message : message with { Standing = standing });
    }

    private void RespondToStaleSender(Message message)
    {
        // A deposed primary or candidate learns the newer term from the answer and steps down.
        switch (message)
        {
            case Replicate or InstallSnapshot:
                Send(new ReplicateResponse(Id, message.From, Term, Success: false, MatchIndex: 0));
                break;
            case RequestVote vote:
                Send(new RequestVoteResponse(Id, message.From, Term, Granted: false, vote.PreVote));
                break;
        }
    }

    /// <summary>Heard from a live primary within the minimum election timeout (or is one), or bound by a lease read promise.</summary>
    private bool InPrimaryLease =>
        _options.CheckQuorum && ((Primary is not null && _electionElapsed < _options.ElectionTicksMin) || PromisedToPrimary);

    /// <summary>A pre-vote request, or a granted pre-vote answer, carries a future term without making it ours.</summary>
    private static bool IsPreVoteTraffic(Message message) =>
        message is RequestVote { PreVote: true } or RequestVoteResponse { PreVote: true, Granted: true };

    private void HandleRequestVote(RequestVote vote)
    {
        // One vote per term, and only for a log at least
        // as up to date as ours so the winner holds every committed entry (Raft §5.4.1). A pre-vote
        // records nothing: it only says whether a real vote would be granted in a later term.
        var canVote = _hardState.VotedFor == vote.From
            || (_hardState.VotedFor is null && Primary is null)
            || (vote.PreVote && vote.Term > Term);
        var granted = canVote && MayVoteFor(vote) && Log.IsUpToDate(vote.LastLogIndex, vote.LastLogTerm);
        if (granted && !vote.PreVote)
        {
            // A blank node that votes for a founding candidate founds the cluster with it (Raft.Joining.cs).
            SetHardState(_hardState with { VotedFor = vote.From, Joining = false });
            _electionElapsed = 0;
        }
        Send(new RequestVoteResponse(Id, vote.From, granted && vote.PreVote ? vote.Term : Term, granted, vote.PreVote));
    }

    private void SetHardState(HardState hardState)
    {
        if (hardState == _hardState)
            return;
        _hardState = hardState;
        _hardStateDirty = true;
    }

    private void ResetTimers()
    {
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _random.Next(_options.ElectionTicksMin, _options.ElectionTicksMax);
    }

    private void CommitTo(long index)
    {
        if (index > CommitIndex)
            CommitIndex = index;
    }
}
