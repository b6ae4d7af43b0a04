using System.Buffers.Binary;
using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.StateMachine;
using KvAspire.Node.Tests.StateMachine;

namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// The properties of Raft §5 (Figure 3) and of KvAspire's clients, checked incrementally so that every
/// Ready and every step can be checked cheaply:
/// - election safety: at most one primary per term;
/// - log matching: logs holding an entry with the same index and term are identical up to it (each log
///   keeps a prefix hash per entry; the first hash seen for an (index, term) must be the only one);
/// - leader completeness: every committed entry is in the log of every later primary;
/// - state machine safety: every node applies the same sequence, and a committed entry never changes
///   and is never truncated from a log that holds it;
/// - terms, votes and commit indexes never go backwards (a vote never changes within a term);
/// - a Quorum-acknowledged write is committed; a granted read observes every write committed before it
///   began; at the end every Quorum-acknowledged write is in every node's state.
/// </summary>
internal sealed class SafetyChecker(Simulator sim)
{
    private readonly List<Entry> _committed = [];
    private readonly List<ulong> _committedHash = [];
    private readonly Dictionary<(long Index, long Term), ulong> _prefixByIndexTerm = [];
    private readonly Dictionary<long, string> _primaryOfTerm = [];
    private readonly List<(long WriteId, long Index)> _quorumAcked = [];
    private readonly List<(long WriteId, long Index, long Term)> _leaderAcked = [];

    /// <summary>How many entries are known committed (applied somewhere).</summary>
    public long CommittedCount => _committed.Count;

    public void PersistHardState(SimNode node, HardState hardState)
    {
        var old = node.HardState;
        if (hardState.Term < old.Term)
            sim.Fail($"{node.Id}: persisted term went back from {old.Term} to {hardState.Term}");
        if (hardState.Term == old.Term && old.VotedFor is not null && hardState.VotedFor != old.VotedFor)
            sim.Fail($"{node.Id}: changed its vote in term {old.Term} from {old.VotedFor} to {hardState.VotedFor ?? "nobody"}");
        node.HardState = hardState;
    }

    public void Truncate(SimNode node, long from)
    {
        for (var index = from; index <= node.Log.Count; index++)
        {
            if (index <= _committed.Count && SameEntry(node.Log[(int)index - 1], _committed[(int)index - 1]))
                sim.Fail($"{node.Id}: truncated committed entry {index} (term {_committed[(int)index - 1].Term})");
        }
        RemoveFrom(node, from);
    }

    /// <summary>
    /// A crash loses what a primary wrote but had not forced to disk. That may include committed entries (a
    /// majority of others holds them); the checks on later primaries' logs are what keep them.
    /// </summary>
    public void Lose(SimNode node, long from) => RemoveFrom(node, from);

    private static void RemoveFrom(SimNode node, long from)
    {
        if (from > node.Log.Count)
            return;
        var count = node.Log.Count - (int)from + 1;
        node.Log.RemoveRange((int)from - 1, count);
        node.PrefixHash.RemoveRange((int)from - 1, count);
    }

    /// <summary>
    /// A snapshot from the primary replaces the node's state: it must cover only committed entries and move
    /// the node forward; entries the node drops after it must not be committed ones.
    /// </summary>
    public void InstallSnapshot(SimNode node, SnapshotMarker snapshot)
    {
        if (snapshot.Index > _committed.Count || (snapshot.Index > 0 && _committed[(int)snapshot.Index - 1].Term != snapshot.Term))
            sim.Fail($"{node.Id}: installed snapshot {snapshot.Index}/{snapshot.Term}, which is not a committed prefix ({_committed.Count} committed)");
        if (snapshot.Index <= node.AppliedIndex)
            sim.Fail($"{node.Id}: installed snapshot {snapshot.Index} but had already applied {node.AppliedIndex}");
        Truncate(node, snapshot.Index + 1);
        node.Log.Clear();
        node.PrefixHash.Clear();
        node.Log.AddRange(_committed.Take((int)snapshot.Index));
        node.PrefixHash.AddRange(_committedHash.Take((int)snapshot.Index));
        InstallState(node, snapshot.Index);
    }

    /// <summary>
    /// The store a snapshot through <paramref name="index"/> carries: the one a node saved there, as the primary ships
    /// its file, or else the committed prefix applied afresh (the sender has saved a newer one since).
    /// </summary>
    private void InstallState(SimNode node, long index)
    {
        node.Store = new KvStore();
        if (sim.Nodes.Select(n => n.SnapshotState).FirstOrDefault(s => s?.AppliedIndex == index) is { } saved)
            node.Store.Restore(saved);
        else
        {
            foreach (var entry in _committed.Take((int)index))
                node.Store.Apply(entry);
        }
        node.SnapshotState = node.Store.Capture();
    }

    public void PersistEntries(SimNode node, IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Index != node.Log.Count + 1)
                sim.Fail($"{node.Id}: asked to persist entry {entry.Index} after {node.Log.Count}");
            var hash = Mix(node.HashAt(entry.Index - 1), entry);
            node.Log.Add(entry);
            node.PrefixHash.Add(hash);
            if (_prefixByIndexTerm.TryGetValue((entry.Index, entry.Term), out var seen))
            {
                if (seen != hash)
                    sim.Fail($"{node.Id}: log matching broken at {entry.Index}/{entry.Term}: same index and term, different entries or prefixes");
            }
            else
            {
                _prefixByIndexTerm[(entry.Index, entry.Term)] = hash;
            }
        }
    }

    public void Apply(SimNode node, Entry entry)
    {
        if (entry.Index != node.AppliedIndex + 1)
            sim.Fail($"{node.Id}: applied entry {entry.Index} after {node.AppliedIndex}");
        if (entry.Index <= _committed.Count)
        {
            var committed = _committed[(int)entry.Index - 1];
            if (!SameEntry(committed, entry))
                sim.Fail($"{node.Id}: applied {Show(entry)} at {entry.Index} but {Show(committed)} was committed there");
        }
        else
        {
            _committed.Add(entry);
            _committedHash.Add(Mix(_committedHash.Count == 0 ? 0 : _committedHash[^1], entry));
        }
        node.Store.Apply(entry);
    }

    /// <summary>The configuration the committed prefix through <paramref name="index"/> ends with (null: the founding one):
    /// what a snapshot through it holds.</summary>
    public Membership? MembershipThrough(long index) => NewestMembership(_committed, Math.Min(index, _committed.Count));

    /// <summary>The configuration of the last configuration entry among <paramref name="log"/>'s first <paramref name="count"/>
    /// entries (null: none, the founding one).</summary>
    public static Membership? NewestMembership(IReadOnlyList<Entry> log, long count)
    {
        for (var i = (int)count - 1; i >= 0; i--)
        {
            if (Membership.TryDecode(log[i].Data.Span, out var membership))
                return membership;
        }
        return null;
    }

    public void NewPrimary(SimNode node, long term)
    {
        if (_primaryOfTerm.TryGetValue(term, out var existing) && existing != node.Id)
            sim.Fail($"two primaries in term {term}: {existing} and {node.Id}");
        _primaryOfTerm[term] = node.Id;
        var committed = _committed.Count;
        if (committed > 0 && (node.Log.Count < committed || node.HashAt(committed) != _committedHash[committed - 1]))
            sim.Fail($"{node.Id} became primary of term {term} without every committed entry (committed {committed}, its log {node.Log.Count})");
    }

    /// <summary>After every step: what the core holds is what the host persisted, and commit indexes only grow.</summary>
    public void CheckStep()
    {
        foreach (var node in sim.Nodes)
        {
            if (node.Raft is not { } raft)
                continue;
            if (raft.Term != node.HardState.Term || raft.VotedFor != node.HardState.VotedFor)
                sim.Fail($"{node.Id}: term {raft.Term}/vote {raft.VotedFor} not persisted ({node.HardState})");
            if (raft.Log.LastIndex != node.Log.Count)
                sim.Fail($"{node.Id}: core log ends at {raft.Log.LastIndex}, persisted log at {node.Log.Count}");
            if (raft.CommitIndex < node.SeenCommit)
                sim.Fail($"{node.Id}: commit index went back from {node.SeenCommit} to {raft.CommitIndex}");
            node.SeenCommit = raft.CommitIndex;
        }
    }

    public void Acknowledged(ClientWrite write, WriteOutcome.Written written)
    {
        if (write.Mode == Acknowledge.Primary)
        {
            // Primary mode promises the write is on the primary's disk, unless it is already committed.
            var committed = written.Index <= _committed.Count && WriteIdOf(_committed[(int)written.Index - 1]) == write.Id;
            if (!committed && sim.Nodes.First(n => n.Id == write.Node).UnsyncedFrom <= written.Index)
                sim.Fail($"w{write.Id} acknowledged (Primary) by {write.Node} at {written.Index} before it was on disk");
            sim.Stats.PrimaryAcks++;
            _leaderAcked.Add((write.Id, written.Index, written.Term));
            return;
        }
        sim.Stats.QuorumAcks++;
        if (written.Index > _committed.Count || WriteIdOf(_committed[(int)written.Index - 1]) != write.Id)
            sim.Fail($"w{write.Id} acknowledged (Quorum) by {write.Node} at {written.Index}/{written.Term} but that is not what was committed there");
        _quorumAcked.Add((write.Id, written.Index));
    }

    public void Served(ClientRead read, ReadPermit.Granted granted)
    {
        sim.Stats.ReadsServed++;
        if (granted.Index < read.MustSee)
            sim.Fail($"stale read on {read.Node}: served at applied index {granted.Index}, but {read.MustSee} entries were committed before the read began");
    }

    /// <summary>After recovery: every member holds the same state, containing every Quorum-acknowledged write.</summary>
    public void CheckFinal(ClientWrite final, IReadOnlyList<SimNode> members)
    {
        foreach (var node in members)
        {
            if (node.AppliedIndex != _committed.Count)
                sim.Fail($"{node.Id} applied {node.AppliedIndex} of {_committed.Count} committed entries");
            foreach (var (writeId, index) in _quorumAcked)
            {
                if (WriteIdOf(node.Log[(int)index - 1]) != writeId)
                    sim.Fail($"{node.Id} lost Quorum-acknowledged write w{writeId} at {index}");
            }
        }
        if (!_quorumAcked.Exists(a => a.WriteId == final.Id))
            sim.Fail($"the final write w{final.Id} was not acknowledged");
        // Expiry decided by each entry's own time, transactions by the revisions at apply: every replica the same.
        var states = members.Select(n => (n.Id, State: ExpiryAndRevisionTests.Describe(n.Store))).ToList();
        if (states.FirstOrDefault(s => s.State != states[0].State) is { Id: not null } differs)
            sim.Fail($"{differs.Id}'s store differs from {states[0].Id}'s after applying the same {_committed.Count} entries");
        foreach (var (writeId, index, term) in _leaderAcked)
        {
            if (index > _committed.Count || _committed[(int)index - 1].Term != term || WriteIdOf(_committed[(int)index - 1]) != writeId)
                sim.Stats.PrimaryAcksLost++;
        }
    }

    /// <summary>A client write's entry carries its id as its timestamp (see <see cref="Simulator.Payload"/>), read where every
    /// command format keeps it (after version and op) without decoding the rest: this runs for every entry compared.</summary>
    private static long WriteIdOf(Entry entry) => entry.Data.Length >= 10 ? BinaryPrimitives.ReadInt64LittleEndian(entry.Data.Span[2..]) : 0;

    private static bool SameEntry(Entry a, Entry b) => a.Index == b.Index && a.Term == b.Term && WriteIdOf(a) == WriteIdOf(b);

    private static string Show(Entry entry) => $"{entry.Index}/{entry.Term} w{WriteIdOf(entry)}";

    /// <summary>A prefix hash: index, term and payload of this entry folded into the previous one's.</summary>
    private static ulong Mix(ulong previous, Entry entry)
    {
        var h = previous ^ (ulong)entry.Index * 0x9E3779B97F4A7C15UL;
        h = (h ^ (ulong)entry.Term) * 0xBF58476D1CE4E5B9UL;
        h = (h ^ (ulong)WriteIdOf(entry)) * 0x94D049BB133111EBUL;
        return h ^ (h >> 31);
    }
}
