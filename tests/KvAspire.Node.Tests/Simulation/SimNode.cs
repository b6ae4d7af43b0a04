using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;

namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// One simulated node: the real <see cref="Raft"/> core, what its host keeps on disk (hard state and log,
/// which survive a crash) and what it keeps in memory (applied index, waiting clients, which do not).
/// Waiting clients use the host's own <see cref="Proposals"/> and <see cref="PendingReads"/>.
/// </summary>
internal sealed class SimNode(string id, int number, bool founder)
{
    public string Id { get; } = id;
    public int Number { get; } = number;
    /// <summary>One of the founding members; the others start blank and join only once a primary adds them.</summary>
    public bool Founder { get; } = founder;

    public Raft? Raft { get; set; }
    public bool IsUp => Raft is not null;

    // Durable.
    /// <summary>A new node's data folder is empty: the cluster is founded by its blank nodes (Raft.Joining.cs).</summary>
    public HardState HardState { get; set; } = HardState.Blank;
    /// <summary>The newest snapshot this node saved or installed; the core starts from it after a crash.</summary>
    public SnapshotMarker Snapshot { get; set; }
    /// <summary>The store as <see cref="Snapshot"/> holds it: what a restart restores and what the node ships to others.</summary>
    public StoreSnapshot? SnapshotState { get; set; }
    /// <summary>Every entry from index 1, as if never compacted: a snapshot stands for the committed entries it
    /// covers, so the checker can compare logs entry by entry.</summary>
    public List<Entry> Log { get; } = [];
    /// <summary>PrefixHash[i] covers persisted entries 1..i+1, so two logs agree up to i+1 iff these agree.</summary>
    public List<ulong> PrefixHash { get; } = [];
    public int Restarts { get; set; }
    /// <summary>The first entry written by this node as primary but not yet forced to disk: a crash loses
    /// it and everything after it (its host's group commit runs beside the loop).</summary>
    public long? UnsyncedFrom { get; set; }

    // Volatile: lost in a crash.
    public long AppliedIndex { get; set; }
    /// <summary>The state machine the committed entries are applied to; restored from <see cref="SnapshotState"/> on restart.</summary>
    public KvStore Store { get; set; } = new();
    public Proposals Proposals { get; set; } = new();
    public PendingReads Reads { get; set; } = new();
    public SoftState Soft { get; set; }
    /// <summary>The commit index last seen, to check it never goes back within one incarnation.</summary>
    public long SeenCommit { get; set; }
    /// <summary>The last entry the running group commit will report durable, if one is running.</summary>
    public (long Index, long Term)? PendingSync { get; set; }
    /// <summary>The group this node is in; messages cross only within a group.</summary>
    public int Partition { get; set; }

    public ulong HashAt(long index) => index == 0 ? 0 : PrefixHash[(int)index - 1];

    public void Crash()
    {
        Raft = null;
        PendingSync = null;
        Proposals.FailAll(HardState.Term);
        Reads.FailAll(null, HardState.Term);
    }

    /// <summary>The disk is lost: the node comes back with an empty data folder, remembering no vote or entry.</summary>
    public void Wipe()
    {
        HardState = HardState.Blank;
        Snapshot = default;
        SnapshotState = null;
        Log.Clear();
        PrefixHash.Clear();
        UnsyncedFrom = null;
    }

    public void Start(IReadOnlyList<string> founders, RaftOptions options, Random random)
    {
        AppliedIndex = Snapshot.Index;
        Store = new KvStore();
        if (SnapshotState is { } state)
            Store.Restore(state);
        SeenCommit = 0;
        PendingSync = null;
        Proposals = new Proposals();
        Reads = new PendingReads();
        Raft = new Raft(Id, founders, options, random, HardState, Log.Skip((int)Snapshot.Index), Snapshot,
            SnapshotState?.Membership, Founder);
        Soft = Raft.SoftState;
    }
}
