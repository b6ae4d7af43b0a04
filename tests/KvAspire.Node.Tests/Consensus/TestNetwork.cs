using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// A simulated cluster in the style of etcd-io/raft's test <c>network</c>: a plain loop, no threads,
/// no sleeps, every random choice from one seed. Each node is a <see cref="Raft"/> plus what its host
/// would keep on disk (hard state and log) and what it has applied.
/// The host contract is followed literally: persist, then send, then apply, then Advance.
/// Safety properties are checked on every Ready, so every test that uses the network also checks
/// them: one primary per term, committed entries never change, a vote is never changed within a term,
/// the persisted log stays contiguous.
/// </summary>
public sealed class TestNetwork
{
    private readonly Dictionary<string, Node> _nodes = [];
    private readonly HashSet<string> _isolated = [];
    private readonly Random _random;
    private readonly int _seed;
    private List<Message> _queue = [];
    private List<Message> _delayed = [];
    private readonly Dictionary<long, string> _primaryByTerm = [];
    private readonly Dictionary<long, Entry> _committed = [];

    public TestNetwork(int size, int seed = 1, RaftOptions? options = null)
        : this([.. Enumerable.Range(0, size).Select(i => ((char)('a' + i)).ToString())], seed, options)
    {
    }

    /// <param name="founders">The founding members (default: every node); the others start to join as learners.</param>
    public TestNetwork(IReadOnlyList<string> ids, int seed = 1, RaftOptions? options = null, IReadOnlyList<string>? founders = null)
    {
        Ids = ids;
        Founders = founders ?? ids;
        Options = options ?? new RaftOptions();
        _seed = seed;
        _random = new Random(seed);
        foreach (var id in ids)
        {
            // A node started to join has an empty data folder, as it does in a real deployment.
            var node = new Node(id) { HardState = Founders.Contains(id) ? HardState.Initial : HardState.Blank };
            _nodes[id] = node;
            node.Raft = NewRaft(node);
        }
    }

    public IReadOnlyList<string> Ids { get; }
    public IReadOnlyList<string> Founders { get; }
    public RaftOptions Options { get; }
    public int Ticks { get; private set; }

    /// <summary>Message faults, all drawn from the network's seeded Random (0 = never).</summary>
    public double DropRate { get; set; }
    public double DuplicateRate { get; set; }
    /// <summary>A delayed message is held back to a later tick, so messages also arrive reordered.</summary>
    public double DelayRate { get; set; }
    /// <summary>Asked about every message before it is delivered; false drops it (etcd-io/raft's network <c>msgHook</c>), so a
    /// test can lose exactly the messages a scenario needs lost. Null delivers everything.</summary>
    public Func<Message, bool>? MessageHook { get; set; }

    /// <summary>Every message a node handed to the network, whether or not it was delivered.</summary>
    public List<Message> Sent { get; } = [];

    public Raft this[string id] => _nodes[id].Raft ?? throw new InvalidOperationException($"Node {id} is crashed.");
    public bool IsCrashed(string id) => _nodes[id].Raft is null;
    public IEnumerable<Raft> Live => Ids.Where(id => !IsCrashed(id)).Select(id => this[id]);
    public IReadOnlyList<Entry> Applied(string id) => _nodes[id].Applied;
    public IReadOnlyList<Entry> PersistedLog(string id) => _nodes[id].Log;
    public HardState PersistedHardState(string id) => _nodes[id].HardState;
    public IReadOnlyList<long> Truncations(string id) => _nodes[id].Truncations;
    /// <summary>Every read the node's core confirmed (ReadIndex), in order.</summary>
    public IReadOnlyList<ReadState> ReadStates(string id) => _nodes[id].ReadStates;

    /// <summary>The live primaries (a deposed one may not know it yet, so there can be several).</summary>
    public IReadOnlyList<Raft> Primaries => [.. Live.Where(r => r.Role == Role.Primary)];

    /// <summary>The one live primary; fails when there is none or more than one.</summary>
    public Raft Primary => Assert.Single(Primaries);

    public void Isolate(string id) => _isolated.Add(id);
    public void Heal() => _isolated.Clear();
    public bool IsIsolated(string id) => _isolated.Contains(id);

    /// <summary>The node stops; whatever it had not handed to the host in a Ready is lost.</summary>
    public void Crash(string id) => _nodes[id].Raft = null;

    /// <summary>Rebuild the node from its persisted hard state and log, with nothing applied.</summary>
    public void Restart(string id)
    {
        var node = _nodes[id];
        if (node.Raft is not null)
            throw new InvalidOperationException($"Node {id} is running.");
        node.Restarts++;
        node.Applied.Clear();
        node.VerifiedCommit = 0;
        node.Raft = NewRaft(node);
    }

    /// <summary>The node loses its disk and starts again with an empty data folder.</summary>
    public void Wipe(string id)
    {
        Crash(id);
        var node = _nodes[id];
        node.HardState = HardState.Blank;
        node.Log.Clear();
        Restart(id);
    }

    /// <summary>Puts a message on the wire as if some node had sent it.</summary>
    public void Send(Message message) => _queue.Add(message);

    public ProposeResult Propose(string id, string data) => this[id].Propose(System.Text.Encoding.UTF8.GetBytes(data));

    /// <summary>One tick of time for every live node, then run the network until it is quiet.</summary>
    public void Tick()
    {
        Ticks++;
        _queue.AddRange(_delayed);
        _delayed = [];
        foreach (var raft in Live.ToList())
            raft.Tick();
        Deliver();
    }

    public void Tick(int count)
    {
        for (var i = 0; i < count; i++)
            Tick();
    }

    /// <summary>
    /// Process every Ready and deliver every message until nothing is left to do. A delayed message
    /// waits for the next tick.
    /// </summary>
    public void Deliver()
    {
        for (var round = 0; ; round++)
        {
            if (round > 10_000)
                Assert.Fail($"Network did not quiesce after {round} rounds at tick {Ticks}: {Describe()}");
            var progressed = false;
            foreach (var id in Ids)
            {
                if (_nodes[id].Raft is { HasReady: true })
                {
                    HandleReady(_nodes[id]);
                    progressed = true;
                }
            }
            if (_queue.Count == 0)
            {
                if (!progressed)
                    break;
                continue;
            }
            var batch = _queue;
            _queue = [];
            foreach (var message in batch)
                Transmit(message);
        }
        CheckCommittedPrefixes();
    }

    /// <summary>Tick until <paramref name="done"/> holds; fail naming <paramref name="what"/> if it takes more than <paramref name="maxTicks"/>.</summary>
    public void RunUntil(Func<bool> done, int maxTicks, string what)
    {
        Deliver();
        for (var i = 0; i < maxTicks; i++)
        {
            if (done())
                return;
            Tick();
        }
        if (!done())
            Assert.Fail($"Gave up waiting for {what} after {maxTicks} ticks (seed {_seed}, tick {Ticks}): {Describe()}");
    }

    /// <summary>Elect a primary and wait until every node has applied its no-op.</summary>
    public Raft ElectPrimary(int maxTicks = 200)
    {
        RunUntil(() => Primaries.Count == 1 && Primaries[0].HasCommittedInCurrentTerm && AllLiveApplied(Primaries[0].CommitIndex),
            maxTicks, "a primary that committed in its term");
        return Primary;
    }

    /// <summary>Every reachable member has applied through <paramref name="index"/> (a node not yet added receives nothing).</summary>
    public bool AllLiveApplied(long index) =>
        Ids.Where(id => !IsCrashed(id) && !IsIsolated(id) && (Founders.Contains(id) || Primaries.Any(p => p.Membership.Contains(id))))
            .All(id => _nodes[id].Applied.Count >= index);

    public string Describe() => string.Join("; ", Ids.Select(id =>
    {
        var node = _nodes[id];
        var flags = (node.Raft is null ? " crashed" : "") + (_isolated.Contains(id) ? " isolated" : "");
        return node.Raft is null
            ? $"{id}{flags} term={node.HardState.Term} log={node.Log.Count}"
            : $"{id}{flags} {node.Raft.Role} term={node.Raft.Term} primary={node.Raft.Primary ?? "-"} "
              + $"last={node.Raft.Log.LastIndex} commit={node.Raft.CommitIndex} applied={node.Applied.Count}";
    }));

    private Raft NewRaft(Node node) =>
        new(node.Id, Founders, Options, new Random(_seed * 7919 + Ids.ToList().IndexOf(node.Id) * 101 + node.Restarts),
            node.HardState, node.Log.ToList(), founder: Founders.Contains(node.Id));

    private void Transmit(Message message)
    {
        if (_isolated.Contains(message.From) || _isolated.Contains(message.To))
            return;
        if (MessageHook is { } hook && !hook(message))
            return;
        if (DropRate > 0 && _random.NextDouble() < DropRate)
            return;
        if (DuplicateRate > 0 && _random.NextDouble() < DuplicateRate)
            _delayed.Add(message);
        if (DelayRate > 0 && _random.NextDouble() < DelayRate)
        {
            _delayed.Add(message);
            return;
        }
        if (_nodes.TryGetValue(message.To, out var target) && target.Raft is { } raft)
            raft.Step(message);
    }

    private void HandleReady(Node node)
    {
        var raft = node.Raft!;
        var ready = raft.TakeReady();
        Persist(node, ready);
        foreach (var message in ready.Messages)
        {
            Assert.Equal(node.Id, message.From);
            Sent.Add(message);
            _queue.Add(message);
        }
        Apply(node, ready.CommittedEntries);
        node.ReadStates.AddRange(ready.ReadStates);
        if (ready.SoftState.Role == Role.Primary)
            RecordPrimary(ready.SoftState.Term, node.Id);
        raft.Advance(ready);
    }

    private static void Persist(Node node, Ready ready)
    {
        if (ready.HardState is { } hardState)
        {
            var old = node.HardState;
            if (hardState.Term < old.Term)
                Assert.Fail($"{node.Id}: persisted term went back from {old.Term} to {hardState.Term}");
            if (hardState.Term == old.Term && old.VotedFor is not null)
                if (hardState.VotedFor != old.VotedFor)
                    Assert.Fail($"{node.Id}: changed its vote in term {old.Term} from {old.VotedFor} to {hardState.VotedFor ?? "nobody"}");
            node.HardState = hardState;
        }
        if (ready.TruncateFrom is { } from)
        {
            node.Truncations.Add(from);
            if (from <= node.Log.Count)
                node.Log.RemoveRange((int)from - 1, node.Log.Count - (int)from + 1);
        }
        foreach (var entry in ready.EntriesToPersist)
        {
            if (entry.Index != node.Log.Count + 1)
                Assert.Fail($"{node.Id}: asked to persist entry {entry.Index} after {node.Log.Count} (truncate from {ready.TruncateFrom?.ToString() ?? "-"})");
            node.Log.Add(entry);
        }
    }

    private void Apply(Node node, IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Index != node.Applied.Count + 1)
                Assert.Fail($"{node.Id}: applied entry {entry.Index} after {node.Applied.Count}");
            RecordCommitted(node.Id, entry);
            node.Applied.Add(entry);
        }
    }

    private void RecordPrimary(long term, string id)
    {
        if (_primaryByTerm.TryGetValue(term, out var existing))
        {
            if (existing != id)
                Assert.Fail($"Two primaries in term {term}: {existing} and {id} (seed {_seed}, tick {Ticks})");
        }
        else
        {
            _primaryByTerm[term] = id;
        }
    }

    private void RecordCommitted(string id, Entry entry)
    {
        if (_committed.TryGetValue(entry.Index, out var existing))
        {
            if (!SameEntry(existing, entry))
                Assert.Fail($"{id}: committed entry {entry.Index} changed from term {existing.Term} to term {entry.Term} (seed {_seed}, tick {Ticks})");
        }
        else
        {
            _committed[entry.Index] = entry;
        }
    }

    /// <summary>
    /// Checked whenever the network is quiet: every live node's log up to its commit index equals the
    /// committed entries (Log Matching); its commit index never goes back; what the host persisted is
    /// what the core holds; a primary's Progress keeps 0 &lt;= Match &lt; Next &lt;= LastIndex + 1.
    /// </summary>
    private void CheckCommittedPrefixes()
    {
        foreach (var node in _nodes.Values)
        {
            if (node.Raft is not { } raft)
                continue;
            string where() => $"{node.Id} (seed {_seed}, tick {Ticks})";
            if (raft.Role == Role.Primary)
                RecordPrimary(raft.Term, node.Id);
            if (raft.CommitIndex < node.VerifiedCommit)
                Assert.Fail($"{where()}: commit index went back from {node.VerifiedCommit} to {raft.CommitIndex}");
            for (var index = node.VerifiedCommit + 1; index <= raft.CommitIndex; index++)
            {
                if (!(_committed.TryGetValue(index, out var committed) && SameEntry(committed, raft.Log[index])))
                    Assert.Fail($"{where()}: log entry {index} (term {raft.Log[index].Term}) differs from the committed one");
            }
            node.VerifiedCommit = raft.CommitIndex;

            if (new HardState(raft.Term, raft.VotedFor, raft.Joining) != node.HardState)
                Assert.Fail($"{where()}: term or vote not persisted");
            if (!(raft.Log.LastIndex == node.Log.Count && (node.Log.Count == 0 || SameEntry(node.Log[^1], raft.Log[raft.Log.LastIndex]))))
                Assert.Fail($"{where()}: persisted log ({node.Log.Count}) differs from the core's ({raft.Log.LastIndex})");
            foreach (var peer in raft.Peers)
            {
                if (raft.ProgressOf(peer) is { } progress)
                    if (!(progress.Match >= 0 && progress.Match < progress.Next && progress.Next <= raft.Log.LastIndex + 1))
                        Assert.Fail($"{where()}: progress of {peer} breaks 0 <= Match ({progress.Match}) < Next ({progress.Next}) <= last + 1 ({raft.Log.LastIndex + 1})");
            }
        }
    }

    public static bool SameEntry(Entry a, Entry b) =>
        a.Index == b.Index && a.Term == b.Term && a.Data.Span.SequenceEqual(b.Data.Span);

    private sealed class Node(string id)
    {
        public string Id { get; } = id;
        public Raft? Raft { get; set; }
        public HardState HardState { get; set; } = HardState.Initial;
        public List<Entry> Log { get; } = [];
        public List<Entry> Applied { get; } = [];
        public List<long> Truncations { get; } = [];
        public List<ReadState> ReadStates { get; } = [];
        public long VerifiedCommit { get; set; }
        public int Restarts { get; set; }
    }
}
