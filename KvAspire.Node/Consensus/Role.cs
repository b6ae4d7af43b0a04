namespace KvAspire.Node.Consensus;

/// <summary>A node's part in the consensus protocol. The primary leads, secondaries follow.</summary>
public enum Role
{
    Secondary,
    /// <summary>Asking whether it could win before starting a real election (pre-vote), so a node
    /// that cannot win never bumps the term and disrupts a healthy primary.</summary>
    PreCandidate,
    Candidate,
    Primary,
}
