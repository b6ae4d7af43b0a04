namespace KvAspire.Node.Consensus;

/// <summary>
/// One record of the replication log. <see cref="Data"/> is opaque to the core: only the state
/// machine knows SET and DELETE. An empty payload is the no-op a new primary appends to commit
/// entries of earlier terms (Raft §5.4.2).
/// </summary>
public readonly record struct Entry(long Index, long Term, ReadOnlyMemory<byte> Data)
{
    public bool IsNoOp => Data.IsEmpty;
}
