namespace KvAspire.Node.Consensus;

/// <summary>
/// Everything the core asks its host to do after a batch of inputs, in this order:
/// 1. install <see cref="Snapshot"/> (if set: the state machine takes the primary's snapshot and the
///    stored log is dropped), then persist <see cref="HardState"/> (if set) and the
///    <see cref="EntriesToPersist"/>, first removing every stored entry from <see cref="TruncateFrom"/>
///    on (if set);
/// 2. send <see cref="Messages"/> (a vote or an acknowledgement must never leave before what it
///    promises is on disk; when <see cref="DurabilityMayFollow"/> they promise only what is already durable,
///    so they may leave before step 1);
/// 3. apply <see cref="CommittedEntries"/> to the state machine, in order;
/// 4. call <see cref="Raft.Advance"/> with this Ready (its entries may still be on their way to disk then
///    when <see cref="DurabilityMayFollow"/>: see <see cref="Raft.LogDurable"/>).
/// </summary>
public sealed class Ready
{
    public HardState? HardState { get; init; }
    /// <summary>A snapshot received from the primary that replaces this node's state and log.</summary>
    public SnapshotMarker? Snapshot { get; init; }
    public long? TruncateFrom { get; init; }
    public IReadOnlyList<Entry> EntriesToPersist { get; init; } = [];
    public IReadOnlyList<Message> Messages { get; init; } = [];
    public IReadOnlyList<Entry> CommittedEntries { get; init; } = [];
    /// <summary>Reads confirmed by a majority: serve each once the state machine has applied its index.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>
    /// The host may write <see cref="EntriesToPersist"/> without waiting for the disk and report them later with
    /// <see cref="Raft.LogDurable"/>, and may send <see cref="Messages"/> first: nothing in this Ready promises what it
    /// writes. True for a primary's Ready (its own copy counts towards a quorum only once reported) and, with
    /// <see cref="RaftOptions.AsyncStorageWrites"/>, a secondary's (it acknowledges only reported entries), unless
    /// it holds a vote, a truncation or a snapshot, which are promised to others as soon as they are sent.
    /// </summary>
    public bool DurabilityMayFollow { get; init; }

    /// <summary>Role, term and known primary after this batch; the host publishes it as status.</summary>
    public required SoftState SoftState { get; init; }
}

/// <summary>Volatile state that the host reports but need not persist.</summary>
public readonly record struct SoftState(Role Role, long Term, string? Primary, long CommitIndex);
