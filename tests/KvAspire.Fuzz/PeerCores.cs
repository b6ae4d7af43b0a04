using KvAspire.Node.Consensus;

namespace KvAspire.Fuzz;

/// <summary>
/// Real consensus cores for the peer target to step admitted messages into: "a" a primary of a, b, c with a
/// few committed entries, "b" a secondary of the same history, "c" a node that has just started. Whatever the
/// edge lets through, each must take it (and produce its next Ready) without throwing.
/// </summary>
internal sealed class PeerCores
{
    public static readonly string[] Members = ["a", "b", "c"];
    private static readonly RaftOptions Options = new() { HeartbeatTicks = 1, ElectionTicksMin = 10, ElectionTicksMax = 20 };

    private readonly Dictionary<string, Raft> _nodes;

    private PeerCores(Dictionary<string, Raft> nodes) => _nodes = nodes;

    public static PeerCores Create()
    {
        Entry[] log = [new(1, 1, ReadOnlyMemory<byte>.Empty), new(2, 1, new byte[] { 1 }), new(3, 2, ReadOnlyMemory<byte>.Empty)];
        var primary = new Raft("a", Members, Options, new Random(1), new HardState(2, "a"), log);
        while (primary.Role != Role.Primary)
        {
            primary.Tick();
            Drain(primary);
            primary.Step(new RequestVoteResponse("b", "a", primary.Term, Granted: true, PreVote: primary.Role == Role.PreCandidate));
            Drain(primary);
        }
        primary.Step(new ReplicateResponse("b", "a", primary.Term, Success: true, MatchIndex: primary.Log.LastIndex));
        Drain(primary);
        var secondary = new Raft("b", Members, Options, new Random(2), new HardState(2, "a"), log);
        var fresh = new Raft("c", Members, Options, new Random(3), HardState.Initial, []);
        return new PeerCores(new Dictionary<string, Raft> { ["a"] = primary, ["b"] = secondary, ["c"] = fresh });
    }

    public void Step(Message message)
    {
        if (!_nodes.TryGetValue(message.To, out var node))
            return;
        node.Step(message);
        Drain(node);
    }

    private static void Drain(Raft raft)
    {
        for (var i = 0; i < 10 && raft.HasReady; i++)
            raft.Advance(raft.TakeReady());
    }
}
