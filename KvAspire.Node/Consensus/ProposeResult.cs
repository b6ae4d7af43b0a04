namespace KvAspire.Node.Consensus;

/// <summary>
/// The answer to <see cref="Raft.Propose"/>: accepted at (Index, Term), or refused because this node
/// is not the primary (then <see cref="Primary"/> names the one it knows of, if any).
/// An accepted entry is not yet committed: it commits only if it is still at Index with Term later.
/// </summary>
public readonly record struct ProposeResult(bool Accepted, long Index, long Term, string? Primary)
{
    public static ProposeResult NotPrimary(long term, string? primary) => new(false, 0, term, primary);
}
