using KvAspire.Node.Cluster;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Simulation;

internal sealed partial class Simulator
{
    /// <summary>Long enough for several election timeouts; recovery taking longer is a liveness bug.</summary>
    public const int RecoveryTickBound = 300;

    /// <summary>
    /// The host's handling of one node's Readys, in ReadyProcessor.Process's order: install a snapshot, persist (and fail writes
    /// whose entries were truncated, acknowledge Primary-mode writes), send, apply (acknowledge Quorum
    /// writes, grant confirmed reads), fail waiting clients if the primary role was lost, advance.
    /// </summary>
    private void ProcessReady(SimNode node)
    {
        var raft = node.Raft!;
        while (raft.HasReady)
        {
            var ready = raft.TakeReady();
            var previous = node.Soft;
            var soft = ready.SoftState;
            if (ready.Snapshot is { } snapshot)
            {
                _checker.InstallSnapshot(node, snapshot);
                node.Snapshot = snapshot;
                node.AppliedIndex = snapshot.Index;
                Stats.SnapshotsInstalled++;
            }
            if (ready.HardState is { } hardState)
                _checker.PersistHardState(node, hardState);
            if (ready.TruncateFrom is { } from)
            {
                _checker.Truncate(node, from);
                node.Proposals.Truncated(from, soft.Term);
            }
            // The group commit may run beside the loop for a Ready whose messages promise nothing it writes; any other
            // Ready forces what is written to disk before its messages leave: they may promise it (a vote, a truncation).
            var beside = GroupCommitBesideLoop && ready.DurabilityMayFollow;
            var deferDurability = beside && ready.EntriesToPersist.Count > 0;
            if (!beside && node.UnsyncedFrom is not null)
            {
                Trace($"{node.Id} forces its unsynced log from {node.UnsyncedFrom} to disk");
                node.UnsyncedFrom = null;
            }
            _checker.PersistEntries(node, ready.EntriesToPersist);
            if (deferDurability)
            {
                var last = ready.EntriesToPersist[^1];
                node.UnsyncedFrom ??= ready.EntriesToPersist[0].Index;
                node.PendingSync = (last.Index, last.Term);
                node.Proposals.Written(ready.EntriesToPersist);
            }
            else
            {
                node.Proposals.Persisted(ready.EntriesToPersist);
            }

            foreach (var message in ready.Messages)
            {
                if (message.From != node.Id)
                    Fail($"{node.Id} sent a message as {message.From}");
                _inflight.Add(message);
            }

            foreach (var entry in ready.CommittedEntries)
            {
                _checker.Apply(node, entry);
                node.AppliedIndex = entry.Index;
                node.Proposals.Applied(entry, default);
            }
            if (_readJustAsked != 0 && ready.ReadStates.Any(r => r.RequestId == _readJustAsked))
                Stats.ReadsConfirmedAtOnce++;
            node.Reads.Confirmed(ready.ReadStates, node.AppliedIndex);

            var wasPrimary = previous.Role == Role.Primary;
            if (wasPrimary && soft.Role != Role.Primary)
                node.Proposals.FailAll(soft.Term);
            if (wasPrimary && (soft.Role != Role.Primary || soft.Term != previous.Term))
                node.Reads.FailUnconfirmed(soft.Primary, soft.Term);
            if (soft.Role == Role.Primary && (!wasPrimary || soft.Term != previous.Term))
            {
                Stats.Elections++;
                Trace($"elected {node.Id} primary of term {soft.Term}");
                _checker.NewPrimary(node, soft.Term);
            }
            else if (_trace is not null && soft != previous)
            {
                Trace($"{node.Id} is {soft.Role} t{soft.Term} primary={soft.Primary ?? "-"} commit={soft.CommitIndex}");
            }
            node.Soft = soft;
            raft.Advance(ready, entriesDurable: !deferDurability);
        }
    }

    /// <summary>
    /// The group commit running beside <paramref name="node"/>'s loop finishes: its log is on disk through the
    /// last entry it covers, as RaftHost does on <c>HostInput.LogDurable</c>.
    /// </summary>
    private void SyncLog(SimNode? node)
    {
        if (node?.Raft is not { } raft || node.PendingSync is not var (index, term))
            return;
        node.PendingSync = null;
        node.UnsyncedFrom = null;
        Trace($"{node.Id} log durable through {index}/{term}");
        if (raft.Log.TermAt(index) == term)
            node.Proposals.Durable(index);
        raft.LogDurable(index, term);
        ProcessReady(node);
    }

    /// <summary>
    /// Liveness: heal the network, stop injecting faults, restart every crashed node, then tick all
    /// nodes in step. Within <see cref="RecoveryTickBound"/> ticks there must be one primary that has
    /// committed in its term, every node must have applied its whole log, every waiting client must
    /// have its answer, and a fresh Quorum write must be acknowledged.
    /// </summary>
    private void Recover()
    {
        Trace("recover: heal, restart all, no more faults");
        Heal();
        DropRate = DuplicateRate = CorruptRate = 0;
        foreach (var node in _nodes)
        {
            if (!node.IsUp)
                Restart(node);
        }

        ClientWrite? final = null;
        for (var tick = 0; ; tick++)
        {
            if (tick > RecoveryTickBound)
                Fail($"no recovery within {RecoveryTickBound} ticks: {_writes.Count} writes and {_reads.Count} reads still waiting"
                    + (final is null ? ", no stable primary" : $", final write w{final.Id} not acknowledged"));
            StepNumber++;
            TickEveryNode();
            DeliverAll();
            SweepClients();
            _checker.CheckStep();
            if (final is null && StablePrimary() is { } primary)
            {
                final = ClientWrite(primary, Acknowledge.Quorum);
                DeliverAll();
                SweepClients();
            }
            if (final is not null && _writes.Count == 0 && _reads.Count == 0 && StablePrimary() is not null)
            {
                Stats.RecoveryTicks = tick;
                break;
            }
        }
        _checker.CheckFinal(final!, [.. MembersOf(StablePrimary()!.Raft!)]);
    }

    /// <summary>The one primary, if it has committed in its term and its configuration, and every member has applied its whole log.</summary>
    private SimNode? StablePrimary()
    {
        SimNode? primary = null;
        foreach (var node in _nodes)
        {
            if (node.Raft!.Role != Role.Primary)
                continue;
            if (primary is not null)
                return null;
            primary = node;
        }
        if (primary?.Raft is not { HasCommittedInCurrentTerm: true, MembershipChanging: false } raft)
            return null;
        foreach (var node in MembersOf(raft))
        {
            if (node.AppliedIndex != raft.Log.LastIndex)
                return null;
        }
        return primary;
    }

    /// <summary>Deliver everything in flight, in order, until the network is quiet.</summary>
    /// <summary>Delivers every message until the network is quiet; a healthy disk finishes each group commit within the
    /// round, as an fsync takes far less than a tick.</summary>
    private void DeliverAll()
    {
        for (var round = 0; _inflight.Count > 0 || _nodes.Any(node => node.Raft is not null && node.PendingSync is not null); round++)
        {
            if (round > 1_000)
                Fail("the network did not quiesce");
            var batch = _inflight.ToArray();
            _inflight.Clear();
            foreach (var message in batch)
                Deliver(message, dropRate: 0);
            foreach (var node in _nodes)
                SyncLog(node);
        }
    }

    private static string Describe(Message message) => message switch
    {
        RequestVote m => $"{m.From}->{m.To} {(m.PreVote ? "PreVote" : "Vote")}{(m.Transfer ? "(transfer)" : "")} t{m.Term} last {m.LastLogIndex}/{m.LastLogTerm}",
        RequestVoteResponse m => $"{m.From}->{m.To} {(m.PreVote ? "PreVote" : "Vote")}Response t{m.Term} {(m.Granted ? "granted" : "rejected")}",
        Replicate m => $"{m.From}->{m.To} Replicate t{m.Term} prev {m.PrevLogIndex}/{m.PrevLogTerm} entries {m.Entries.Count} commit {m.CommitIndex} ctx {m.ReadContext}",
        InstallSnapshot m => $"{m.From}->{m.To} InstallSnapshot t{m.Term} snapshot {m.Snapshot.Index}/{m.Snapshot.Term}",
        ReplicateResponse m => $"{m.From}->{m.To} ReplicateResponse t{m.Term} {(m.Success ? $"ok match {m.MatchIndex}" : $"reject {m.RejectedIndex} hint {m.HintIndex}")} ctx {m.ReadContext}",
        _ => $"{message.From}->{message.To} {message.GetType().Name} t{message.Term}",
    };
}
