using KvAspire.Node.Consensus;

namespace KvAspire.Node.Transport;

/// <summary>How large a frame from a peer may be: anything larger is refused by gRPC before it is buffered.</summary>
public static class PeerLimits
{
    /// <summary>A sender's batch stops growing past this, so one burst does not become one huge frame.</summary>
    public const long MaxBatchBytes = 1024 * 1024;

    /// <summary>Protobuf framing per entry and per message (tags, lengths, index, term): generously more than it takes.</summary>
    private const long FramingBytes = 64 * 1024;

    /// <summary>
    /// The largest batch a correct peer sends: a batch grows until it passes <see cref="MaxBatchBytes"/>, so it
    /// holds at most that plus one message; a Replicate holds entries up to <see cref="RaftOptions.MaxBytesPerReplicate"/>
    /// but always at least one, which may be the largest entry a client can cause (<paramref name="maxEntryBytes"/>).
    /// </summary>
    public static int MaxMessageBytes(long maxEntryBytes, RaftOptions raft)
    {
        var bytes = MaxBatchBytes + raft.MaxBytesPerReplicate + maxEntryBytes + 2 * FramingBytes
            + (long)raft.MaxEntriesPerReplicate * 32;
        return (int)Math.Min(bytes, int.MaxValue);
    }
}
