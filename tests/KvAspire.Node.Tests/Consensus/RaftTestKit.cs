using System.Text;
using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// Helpers for tests that drive one <see cref="Raft"/> by hand with Step/Tick and hand-made messages,
/// acting as its host: <see cref="Drain"/> takes a Ready and advances it as if it were persisted.
/// </summary>
internal static class RaftTestKit
{
    public static readonly string[] Cluster = ["a", "b", "c"];

    /// <summary>The paper's protocol: no pre-vote round, so a timeout goes straight to Candidate.
    /// Check-quorum (and with it the primary lease) stays on, as in production.</summary>
    public static RaftOptions Options { get; } = new() { HeartbeatTicks = 1, ElectionTicksMin = 10, ElectionTicksMax = 20, PreVote = false };

    public static Raft NewRaft(string id, long term = 0, string? votedFor = null, IEnumerable<Entry>? log = null,
        RaftOptions? options = null, string[]? cluster = null, int seed = 1) =>
        new(id, cluster ?? Cluster, options ?? Options, new Random(seed), new HardState(term, votedFor), log ?? []);

    /// <summary>A log whose entry i (1-based) has term terms[i-1].</summary>
    public static Entry[] Log(params long[] terms) =>
        [.. terms.Select((term, i) => new Entry(i + 1, term, Bytes($"e{i + 1}@{term}")))];

    public static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(Entry entry) => Encoding.UTF8.GetString(entry.Data.Span);

    /// <summary>Act as the host for one Ready: take it and report it done.</summary>
    public static Ready Drain(Raft raft)
    {
        var ready = raft.TakeReady();
        raft.Advance(ready);
        return ready;
    }

    /// <summary>Drain until the node has nothing more to say; returns every message it sent.</summary>
    public static List<Message> DrainAll(Raft raft)
    {
        var messages = new List<Message>();
        for (var i = 0; raft.HasReady; i++)
        {
            Assert.True(i < 100, "Raft never ran out of Ready");
            messages.AddRange(Drain(raft).Messages);
        }
        return messages;
    }

    /// <summary>Tick a secondary until it campaigns; fails if that takes longer than the maximum timeout.</summary>
    public static void TickUntilCandidate(Raft raft)
    {
        for (var ticks = 0; raft.Role != Role.Candidate; ticks++)
        {
            Assert.True(ticks < Options.ElectionTicksMax, $"{raft.Id} did not campaign within {Options.ElectionTicksMax} ticks");
            raft.Tick();
        }
    }

    /// <summary>
    /// Make "a" (or <paramref name="id"/>) primary of a three-node cluster by campaigning and receiving one
    /// vote, then drain it. The secondaries are not simulated: the caller answers for them.
    /// </summary>
    public static Raft NewPrimary(string id = "a", IEnumerable<Entry>? log = null, long term = 0, RaftOptions? options = null)
    {
        var raft = NewRaft(id, term, log: log, options: options);
        TickUntilCandidate(raft);
        DrainAll(raft);
        var voter = Cluster.First(p => p != id);
        raft.Step(new RequestVoteResponse(voter, id, raft.Term, Granted: true));
        Assert.Equal(Role.Primary, raft.Role);
        return raft;
    }

    /// <summary>A primary of a, b, c whose no-op at index 1 both secondaries hold and that is committed.</summary>
    public static Raft CaughtUpPrimary()
    {
        var primary = NewPrimary();
        DrainAll(primary);
        primary.Step(Ack(primary, "b", 1));
        primary.Step(Ack(primary, "c", 1));
        DrainAll(primary);
        Assert.Equal(1, primary.CommitIndex);
        return primary;
    }

    /// <summary>A secondary's successful answer to the primary.</summary>
    public static ReplicateResponse Ack(Raft primary, string from, long matchIndex) =>
        new(from, primary.Id, primary.Term, Success: true, MatchIndex: matchIndex);

    public static IEnumerable<T> To<T>(this IEnumerable<Message> messages, string to) where T : Message =>
        messages.OfType<T>().Where(m => m.To == to);
}
