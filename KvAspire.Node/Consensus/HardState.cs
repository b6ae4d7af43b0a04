namespace KvAspire.Node.Consensus;

/// <summary>
/// The state that must be on disk before any message that depends on it leaves the node: the
/// current term and the vote cast in it. Losing it would let a restarted node vote twice in a term.
/// </summary>
public readonly record struct HardState(long Term, string? VotedFor)
{
    public static readonly HardState Initial = new(0, null);
}
