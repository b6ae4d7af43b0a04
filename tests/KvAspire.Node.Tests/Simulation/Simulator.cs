using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;
using KvAspire.Node.Tests.StateMachine;

namespace KvAspire.Node.Tests.Simulation;

/// <summary>
/// A deterministic simulation of a KvAspire cluster (in the spirit of FoundationDB's and TigerBeetle's
/// simulators): the real <see cref="Raft"/> core on every node, and ONE seeded <see cref="Random"/> that
/// decides everything — which message arrives next (so messages are delayed and reordered), which are
/// dropped or duplicated, partitions and heals, crashes and restarts, whose clock ticks, client writes in
/// both acknowledgement modes, reads, and leader transfers. Each step is one such action; the node it
/// touches then runs its host's Ready handling exactly as <c>RaftHost</c> does (persist, send, apply,
/// advance). <see cref="SafetyChecker"/> checks every Ready and every step.
/// </summary>
internal sealed partial class Simulator
{
    private readonly Random _random;
    private readonly SimNode[] _nodes;
    /// <summary>The founding members; two more nodes start blank, for membership changes to add.</summary>
    private readonly string[] _founders;
    private readonly List<Message> _inflight = [];
    private readonly List<ClientWrite> _writes = [];
    private readonly List<ClientRead> _reads = [];
    private readonly SafetyChecker _checker;
    private readonly List<string>? _trace;
    private long _nextWriteId;
    /// <summary>The read being asked right now, to count the ones confirmed at once; 0 otherwise.</summary>
    private long _readJustAsked;

    public Simulator(int seed, bool trace = false)
    {
        Seed = seed;
        _random = new Random(seed);
        var size = seed % 4 == 0 ? 5 : 3;
        _founders = [.. Enumerable.Range(1, size).Select(i => $"n{i}")];
        _nodes = [.. Enumerable.Range(1, size + 2).Select(i => new SimNode($"n{i}", i - 1, founder: i <= size))];
        // Two runs in three change members; the rest keep the founding ones, as most clusters do.
        ChangesMembers = seed % 3 != 1;
        // Most runs use production settings; one in five runs the paper's bare protocol.
        var bare = seed % 5 == 0;
        // Half the runs that check quorum answer reads from the primary's lease (RaftOptions.ReadMode), on drifting clocks.
        var lease = !bare && seed % 2 == 1;
        Options = new RaftOptions
        {
            HeartbeatTicks = 1 + _random.Next(2),
            ElectionTicksMin = 10,
            ElectionTicksMax = 20,
            MaxInflight = 1 + _random.Next(4),
            MaxEntriesPerReplicate = 1 + _random.Next(8),
            MaxCommittedPerReady = 1 + _random.Next(8),
            PreVote = !bare,
            CheckQuorum = !bare,
            // As RaftHost with Storage:Fsync=Always, or with the fsync inline (its other policies never defer).
            AsyncStorageWrites = seed % 3 != 0,
            ReadMode = lease ? ReadMode.Lease : ReadMode.ReadIndex,
            LeaseMarginTicks = lease ? 1 + _random.Next(3) : 2,
        };
        DropRate = _random.NextDouble() * 0.2;
        DuplicateRate = _random.NextDouble() * 0.1;
        CorruptRate = _random.NextDouble() * 0.02;
        _trace = trace ? [] : null;
        _checker = new SafetyChecker(this);
        foreach (var node in _nodes)
            node.Start(_founders, Options, _random);
        if (LeaseReads)
            StartClocks();
        Trace($"seed {seed}: {size} founding nodes and 2 spares, membership changes {(ChangesMembers ? "on" : "off")}, {Options}, drop {DropRate:F3}, duplicate {DuplicateRate:F3}, group commit {(GroupCommitBesideLoop ? "beside the loop" : "inline")}"
            + (LeaseReads ? $", tick rates {string.Join(" ", _rates.Select(r => r.ToString("F4")))} (drift up to {Drift:F4})" : ""));
    }

    public int Seed { get; }
    public int StepNumber { get; private set; }
    public RaftOptions Options { get; }
    public double DropRate { get; private set; }
    /// <summary>Nodes write entries without waiting for the disk and learn later that they are durable.</summary>
    public bool GroupCommitBesideLoop => Options.AsyncStorageWrites;
    /// <summary>Primaries answer reads from their lease while they hold one; clocks then drift only within its margin.</summary>
    public bool LeaseReads => Options.ReadMode == ReadMode.Lease;
    public double DuplicateRate { get; private set; }
    /// <summary>How often a message arrives damaged instead of whole (<see cref="MessageCorruption"/>).</summary>
    public double CorruptRate { get; private set; }
    public IReadOnlyList<SimNode> Nodes => _nodes;
    public bool ChangesMembers { get; }
    public IReadOnlyList<string>? TraceLines => _trace;
    public SimulationStats Stats { get; } = new();

    /// <summary>Runs <paramref name="steps"/> adversarial steps, then checks the cluster recovers.</summary>
    public void Run(int steps)
    {
        for (StepNumber = 1; StepNumber <= steps; StepNumber++)
        {
            Act();
            SweepClients();
            _checker.CheckStep();
        }
        Recover();
    }

    private void Act()
    {
        var roll = _random.NextDouble();
        if (roll < 0.50 && _inflight.Count > 0)
            DeliverOne();
        else if (roll < 0.72)
            TickSomeNode();
        else if (roll < 0.80)
            SyncLog(RandomNode(static n => n.IsUp && n.PendingSync is not null));
        else if (roll < 0.88)
            ClientWrite(PreferPrimary(), _random.Next(2) == 0 ? Acknowledge.Quorum : Acknowledge.Primary);
        else if (roll < 0.92)
            ClientRead(PreferPrimary());
        else if (roll < 0.925)
            Transfer(PreferPrimary());
        else if (roll < 0.94)
            Partition();
        else if (roll < 0.96)
            Heal();
        else if (roll < 0.966)
            Crash(RandomNode(up: true));
        else if (roll < 0.97)
            Wipe(_nodes[_random.Next(_nodes.Length)]);
        else if (roll < 0.99)
            Restart(RandomNode(up: false));
        else if (roll < 0.995)
            TakeSnapshot(RandomNode(up: true));
        else if (ChangesMembers)
            ChangeMembership(PreferPrimary());
        else
            TickSomeNode();
    }

    private void DeliverOne()
    {
        var at = _random.Next(_inflight.Count);
        var message = _inflight[at];
        var duplicate = DuplicateRate > 0 && _random.NextDouble() < DuplicateRate;
        if (!duplicate)
        {
            _inflight[at] = _inflight[^1];
            _inflight.RemoveAt(_inflight.Count - 1);
        }
        Deliver(message, dropRate: DropRate);
    }

    private void Deliver(Message message, double dropRate)
    {
        var from = Node(message.From);
        var to = Node(message.To);
        if (from.Partition != to.Partition || !to.IsUp || (dropRate > 0 && _random.NextDouble() < dropRate))
        {
            if (_trace is not null)
                Trace($"drop    {Describe(message)}");
            ReportSnapshot(message, delivered: false);
            return;
        }
        if (_random.NextDouble() < CorruptRate)
        {
            DeliverCorrupted(message, to);
            return;
        }
        if (_trace is not null)
            Trace($"deliver {Describe(message)}");
        // The receiving host reads the configuration out of the snapshot's bytes, as RaftHost does.
        to.Raft!.Step(message is InstallSnapshot install ? install with { Membership = _checker.MembershipThrough(install.Snapshot.Index) } : message);
        ProcessReady(to);
        ReportSnapshot(message, delivered: true);
    }

    /// <summary>A damaged copy arrives instead of the message: the core must drop it (and count it) without acting on it.</summary>
    private void DeliverCorrupted(Message message, SimNode to)
    {
        var raft = to.Raft!;
        var corrupted = MessageCorruption.Corrupt(message, _random, raft);
        if (_trace is not null)
            Trace($"corrupt {Describe(corrupted)}");
        var rejectedBefore = raft.RejectedMessages;
        raft.Step(corrupted);
        if (raft.RejectedMessages != rejectedBefore + 1)
            throw new SimulationFailure(Seed, StepNumber, $"{to.Id} acted on a damaged message: {Describe(corrupted)}");
        Stats.Corrupted++;
        ProcessReady(to);
        ReportSnapshot(message, delivered: false);
    }

    /// <summary>The transport tells the primary how streaming a snapshot ended, as the node's does.</summary>
    private void ReportSnapshot(Message message, bool delivered)
    {
        if (message is not InstallSnapshot || Node(message.From).Raft is not { } sender)
            return;
        sender.ReportSnapshot(message.To, delivered);
        ProcessReady(Node(message.From));
    }

    /// <summary>The host snapshots its applied state and compacts the log through it, or a little behind it.</summary>
    private void TakeSnapshot(SimNode? node)
    {
        if (node?.Raft is not { } raft || node.AppliedIndex <= node.Snapshot.Index)
            return;
        var snapshot = new SnapshotMarker(node.AppliedIndex, node.Log[(int)node.AppliedIndex - 1].Term);
        var compactThrough = Math.Max(0, snapshot.Index - _random.Next(4));
        node.Snapshot = snapshot;
        node.SnapshotState = node.Store.Capture();
        raft.SnapshotTaken(snapshot, compactThrough);
        Stats.Snapshots++;
        Trace($"snapshot {node.Id} at {snapshot.Index}/{snapshot.Term}, log from {raft.Log.Start.Index}");
        ProcessReady(node);
    }

    /// <summary>A tick of the node's clock; its group commit, if one is running, finishes first one time in four.</summary>
    private void TickNode(SimNode? node)
    {
        if (node?.Raft is not { } raft)
            return;
        if (node.PendingSync is not null && _random.Next(4) == 0)
            SyncLog(node);
        raft.Tick();
        ProcessReady(node);
    }

    private ClientWrite? ClientWrite(SimNode? node, Acknowledge mode)
    {
        if (node?.Raft is not { } raft)
            return null;
        var write = new ClientWrite(++_nextWriteId, mode, node.Id);
        var result = raft.Propose(Payload(write.Id));
        if (_trace is not null)
            Trace($"write   w{write.Id} ({mode}) on {node.Id}: {(result.Accepted ? $"at {result.Index}/{result.Term}" : "refused")}");
        if (!result.Accepted)
            return null;
        node.Proposals.Add(result.Index, result.Term, mode, write.Completion);
        _writes.Add(write);
        Stats.Writes++;
        ProcessReady(node);
        return write;
    }

    /// <summary>
    /// A client write's command: a typed write, an expiry or a transaction on a few keys, chosen by the write's id and
    /// stamped with it as the primary's clock, so keys expire between writes and the checker finds the write again.
    /// </summary>
    internal static byte[] Payload(long writeId) => RandomCommands.Next(new Random((int)writeId), writeId, writeId).Encode();

    private void ClientRead(SimNode? node)
    {
        if (node?.Raft is not { } raft)
            return;
        // A linearizable read must observe every write committed before it began.
        var read = new ClientRead(node.Id, _checker.CommittedCount);
        var id = node.Reads.Add(read.Completion);
        if (_trace is not null)
            Trace($"read    r{id} on {node.Id} (must see {read.MustSee})");
        if (!raft.ReadIndex(id))
            node.Reads.Reject(id, raft.Primary, raft.Term);
        _reads.Add(read);
        _readJustAsked = id;
        ProcessReady(node);
        _readJustAsked = 0;
    }

    private void Transfer(SimNode? node)
    {
        if (node?.Raft is not { } raft)
            return;
        var target = _random.Next(2) == 0 ? null : _nodes[_random.Next(_nodes.Length)].Id;
        var result = raft.HandOver(target);
        if (_trace is not null)
            Trace($"step-down on {node.Id} to {target ?? "(best)"}: {result}");
        ProcessReady(node);
    }

    private void Partition()
    {
        foreach (var node in _nodes)
            node.Partition = _random.Next(2);
        if (_trace is not null)
            Trace($"partition {string.Join(" ", _nodes.Select(n => $"{n.Id}:{n.Partition}"))}");
    }

    private void Heal()
    {
        foreach (var node in _nodes)
            node.Partition = 0;
        Trace("heal");
    }

    private void Crash(SimNode? node)
    {
        if (node is null)
            return;
        if (node.UnsyncedFrom is { } unsynced)
        {
            // What the snapshot covers stays: the host saves a snapshot durably before it counts.
            var lost = Math.Max(unsynced, node.Snapshot.Index + 1);
            Trace($"crash   {node.Id} loses its unsynced log from {lost}");
            _checker.Lose(node, lost);
            node.UnsyncedFrom = null;
            Stats.UnsyncedLost++;
        }
        node.Crash();
        Stats.Crashes++;
        Trace($"crash   {node.Id}");
    }

    /// <summary>
    /// A node loses its disk and restarts empty. One at a time: while another wiped node has not been promoted,
    /// the cluster has lost more disks than a majority can stand in for, and waits for an operator (DESIGN §10). The same
    /// holds for a configuration of fewer than three voters, where one wiped voter leaves no majority that may vote.
    /// </summary>
    private void Wipe(SimNode node)
    {
        if (_nodes.Any(other => other != node && other.HardState.Joining && IsMemberAnywhere(other))
            || _nodes.Any(n => n.Raft?.Membership.Voters.Count < 3))
            return;
        if (node.IsUp)
            Crash(node);
        node.Wipe();
        Stats.Wipes++;
        Trace($"wipe    {node.Id}");
        Restart(node);
    }

    private void Restart(SimNode? node)
    {
        if (node is null)
            return;
        node.Restarts++;
        node.Start(_founders, Options, _random);
        ClockRestarted(node);
        Trace($"restart {node.Id} term {node.HardState.Term} log {node.Log.Count}");
        ProcessReady(node);
    }

    /// <summary>Completes waiting clients' bookkeeping and checks what they were told.</summary>
    private void SweepClients()
    {
        for (var i = _writes.Count - 1; i >= 0; i--)
        {
            var write = _writes[i];
            if (!write.Completion.Task.IsCompleted)
                continue;
            if (write.Completion.Task.Result is WriteOutcome.Written written)
                _checker.Acknowledged(write, written);
            _writes[i] = _writes[^1];
            _writes.RemoveAt(_writes.Count - 1);
        }
        for (var i = _reads.Count - 1; i >= 0; i--)
        {
            var read = _reads[i];
            if (!read.Completion.Task.IsCompleted)
                continue;
            if (read.Completion.Task.Result is ReadPermit.Granted granted)
                _checker.Served(read, granted);
            _reads[i] = _reads[^1];
            _reads.RemoveAt(_reads.Count - 1);
        }
    }

    private SimNode Node(string id) => _nodes[id[1] - '1'];

    private SimNode? RandomNode(bool up) => up ? RandomNode(static n => n.IsUp) : RandomNode(static n => !n.IsUp);

    /// <summary>Clients mostly find a node that believes it is primary (deposed ones included).</summary>
    private SimNode? PreferPrimary() => RandomNode(static n => n.Raft?.Role == Role.Primary) ?? RandomNode(up: true);

    /// <summary>A node matching <paramref name="match"/>, searching from a random start.</summary>
    private SimNode? RandomNode(Func<SimNode, bool> match)
    {
        var start = _random.Next(_nodes.Length);
        for (var i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[(start + i) % _nodes.Length];
            if (match(node))
                return node;
        }
        return null;
    }

    private void Trace(string line) => _trace?.Add($"{StepNumber,6} {line}");

    internal void Fail(string what) =>
        throw new SimulationFailure(Seed, StepNumber, $"seed {Seed}, step {StepNumber}: {what}\n  state: {Describe()}");

    public string Describe() => string.Join("; ", _nodes.Select(n => n.Raft is { } r
        ? $"{n.Id} {r.Role} {r.Standing} t{r.Term} voted={r.VotedFor ?? "-"} {r.Membership} primary={r.Primary ?? "-"} log={r.Log.Start.Index}..{r.Log.LastIndex}/{r.Log.LastTerm} commit={r.CommitIndex} applied={n.AppliedIndex} part={n.Partition}"
        : $"{n.Id} down t{n.HardState.Term} log={n.Log.Count}"));
}

/// <summary>A client write waiting for its acknowledgement; the payload is its id.</summary>
internal sealed class ClientWrite(long id, Acknowledge mode, string node)
{
    public long Id { get; } = id;
    public Acknowledge Mode { get; } = mode;
    public string Node { get; } = node;
    public TaskCompletionSource<WriteOutcome> Completion { get; } = new();
}

/// <summary>A client read and the committed prefix it must observe.</summary>
internal sealed class ClientRead(string node, long mustSee)
{
    public string Node { get; } = node;
    public long MustSee { get; } = mustSee;
    public TaskCompletionSource<ReadPermit> Completion { get; } = new();
}

internal sealed class SimulationStats
{
    public long Writes { get; set; }
    public long QuorumAcks { get; set; }
    public long PrimaryAcks { get; set; }
    public long PrimaryAcksLost { get; set; }
    public long ReadsServed { get; set; }
    /// <summary>Reads confirmed in the Ready right after they were asked, without a message exchanged: from a lease (or a
    /// configuration with one voter).</summary>
    public long ReadsConfirmedAtOnce { get; set; }
    public long Crashes { get; set; }
    /// <summary>Crashes that lost entries a primary had written but not yet forced to disk.</summary>
    public long UnsyncedLost { get; set; }
    public long Snapshots { get; set; }
    public long SnapshotsInstalled { get; set; }
    public long Elections { get; set; }
    /// <summary>Nodes that lost their disk and came back empty.</summary>
    public long Wipes { get; set; }
    /// <summary>Damaged messages delivered (and dropped by their receiver).</summary>
    public long Corrupted { get; set; }
    /// <summary>Membership changes a primary accepted.</summary>
    public long MembershipChanges { get; set; }
    public int RecoveryTicks { get; set; }
}

internal sealed class SimulationFailure(int seed, int step, string message) : Exception(message)
{
    public int Seed { get; } = seed;
    public int Step { get; } = step;
}
