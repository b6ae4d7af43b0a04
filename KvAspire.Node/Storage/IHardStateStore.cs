using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// Durable term and vote. <see cref="Save"/> returns only once the state would survive a crash;
/// both methods are called from the host loop only.
/// </summary>
public interface IHardStateStore
{
    /// <summary>The last saved state, or <see cref="HardState.Blank"/> when none was ever saved: a new node, or one
    /// whose data folder was lost, which must not vote until a primary promotes it (Consensus/Raft.Joining.cs).</summary>
    HardState Load();

    void Save(HardState state);
}
