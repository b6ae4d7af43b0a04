using KvAspire.Node.Cluster;

namespace KvAspire.Node.Api;

/// <summary>
/// One ReadIndex confirmation shared by the reads a client sent together. A permit proves this node was
/// primary, and had applied everything committed, at some moment after it was asked for; every read the
/// client had already sent by then may be served from the state machine after that moment without
/// being stale. So the owner resets it whenever more input arrives or a write intervenes, and until then
/// a pipelined run of GETs costs one round to a majority instead of one each. Used by one connection's
/// loop at a time.
/// </summary>
/// <param name="lastWrite">The log index of the owner's latest acknowledged write, which its reads must see
/// (read-your-writes: a Primary-acknowledged write is answered before it commits).</param>
public sealed class SharedReadPermit(Func<long>? lastWrite = null)
{
    private Task<ReadPermit>? _permit;

    /// <param name="request">Asks the host for a permit that also covers the given entry.</param>
    public Task<ReadPermit> GetOrRequest(Func<long, Task<ReadPermit>> request) => _permit ??= request(lastWrite?.Invoke() ?? 0);

    public void Reset() => _permit = null;
}
