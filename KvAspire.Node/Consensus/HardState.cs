namespace KvAspire.Node.Consensus;

/// <summary>
/// The state that must be on disk before any message that depends on it leaves the node: the
/// current term and the vote cast in it. Losing it would let a restarted node vote twice in a term.
/// <see cref="Joining"/>: this node started with an empty data folder and has not yet been made a voter
/// (it may have voted or acknowledged entries before losing its disk, and cannot remember what it promised).
/// </summary>
public readonly record struct HardState(long Term, string? VotedFor, bool Joining = false)
{
    public static readonly HardState Initial = new(0, null);

    /// <summary>A node whose data folder was empty when it started.</summary>
    public static readonly HardState Blank = new(0, null, Joining: true);
}
