namespace KvAspire.Node.Consensus;

/// <summary>
/// The core's timing, in ticks (the host decides how long a tick is) and its batching limits.
/// Validated by <see cref="Validate"/>: an election timeout must span several heartbeats, or a
/// healthy primary would be deposed by ordinary jitter.
/// </summary>
public sealed record RaftOptions
{
    public int HeartbeatTicks { get; init; } = 1;
    public int ElectionTicksMin { get; init; } = 10;
    /// <summary>Exclusive upper bound of the randomized election timeout.</summary>
    public int ElectionTicksMax { get; init; } = 20;
    public int MaxEntriesPerReplicate { get; init; } = 512;
    public long MaxBytesPerReplicate { get; init; } = 1 << 20;
    /// <summary>Committed entries handed to the host in one Ready: a long catch-up or a bulk load is applied in
    /// slices of a few milliseconds each, so the host loop still ticks and answers heartbeats in between.</summary>
    public int MaxCommittedPerReady { get; init; } = 512;
    /// <summary>How many unacknowledged Replicate messages a primary pipelines to one secondary.</summary>
    public int MaxInflight { get; init; } = 64;
    /// <summary>A primary that has not heard from a majority within an election timeout steps down.</summary>
    public bool CheckQuorum { get; init; } = true;
    /// <summary>Run a pre-vote round before a real election (Raft thesis §9.6).</summary>
    public bool PreVote { get; init; } = true;
    /// <summary>
    /// The host writes a secondary's entries without waiting for the disk and reports them with
    /// <see cref="Raft.LogDurable"/> (etcd-io/raft's async storage writes): a secondary then acknowledges only
    /// what its host has reported durable, so it goes on receiving while its disk syncs, and one
    /// acknowledgement covers every entry one sync made durable. Off: the host persists each Ready before
    /// sending its messages, and an acknowledgement covers what that Ready wrote.
    /// </summary>
    public bool AsyncStorageWrites { get; init; }
    /// <summary>How many entries behind the primary's log a learner may be when it is promoted to voter: a voter further
    /// behind would hold up commits while it copies the rest. A learner is sent only committed entries, so the entries not
    /// yet committed count towards this too.</summary>
    public long MaxPromotionLag { get; init; } = 1_000;
    /// <summary>How a primary confirms a linearizable read: a ReadIndex round, or its lease when it holds one (Raft.Lease.cs).</summary>
    public ReadMode ReadMode { get; init; } = ReadMode.ReadIndex;
    /// <summary>
    /// Under <see cref="ReadMode.Lease"/>: how many ticks shorter than <see cref="ElectionTicksMin"/> the primary's lease is. It
    /// must cover one tick of rounding, plus how many more ticks the primary may count than a voter over one election
    /// timeout (tick rates that differ, a pause the primary's host has not yet counted).
    /// </summary>
    public int LeaseMarginTicks { get; init; } = 2;

    public void Validate()
    {
        if (HeartbeatTicks < 1)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatTicks), HeartbeatTicks, "must be at least 1 tick");
        if (ElectionTicksMin <= HeartbeatTicks)
            throw new ArgumentOutOfRangeException(nameof(ElectionTicksMin), ElectionTicksMin, "must be greater than the heartbeat interval");
        if (ElectionTicksMax <= ElectionTicksMin)
            throw new ArgumentOutOfRangeException(nameof(ElectionTicksMax), ElectionTicksMax, "must be greater than the minimum election timeout");
        if (MaxEntriesPerReplicate < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxEntriesPerReplicate), MaxEntriesPerReplicate, "must be at least 1");
        if (MaxBytesPerReplicate < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBytesPerReplicate), MaxBytesPerReplicate, "must be at least 1");
        if (MaxCommittedPerReady < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxCommittedPerReady), MaxCommittedPerReady, "must be at least 1");
        if (MaxPromotionLag < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxPromotionLag), MaxPromotionLag, "must not be negative");
        if (MaxInflight < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxInflight), MaxInflight, "must be at least 1");
        if (!Enum.IsDefined(ReadMode))
            throw new ArgumentOutOfRangeException(nameof(ReadMode), ReadMode, "must be ReadIndex or Lease");
        if (ReadMode != ReadMode.Lease)
            return;
        if (!CheckQuorum)
            throw new ArgumentOutOfRangeException(nameof(ReadMode), ReadMode,
                "Lease needs CheckQuorum: the voters' refusal to vote while they hear a primary is what the lease counts on");
        if (LeaseMarginTicks < 1 || LeaseMarginTicks >= ElectionTicksMin)
            throw new ArgumentOutOfRangeException(nameof(LeaseMarginTicks), LeaseMarginTicks,
                $"must be at least 1 tick and less than the minimum election timeout ({ElectionTicksMin})");
    }
}

/// <summary>How a primary makes sure a read is not stale.</summary>
public enum ReadMode
{
    /// <summary>Every read waits for a majority to confirm this primary after it arrived (Raft thesis §6.4). No clock assumption.</summary>
    ReadIndex,
    /// <summary>A read is answered at once while a majority has promised not to elect anyone else (Raft thesis §6.4.1); only as
    /// safe as the bound on how much faster one node's ticks run than another's.</summary>
    Lease,
}
