using KvAspire.Node.Consensus;

namespace KvAspire.Node.Storage;

/// <summary>
/// Durable term and vote. <see cref="Save"/> returns only once the state would survive a crash;
/// both methods are called from the host loop only.
/// </summary>
public interface IHardStateStore
{
    /// <summary>The last saved state, or <see cref="HardState.Initial"/> for a new node.</summary>
    HardState Load();

    void Save(HardState state);
}
