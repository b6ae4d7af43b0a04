using KvAspire.Chaos.Linearizability;

namespace KvAspire.Chaos.Load;

/// <summary>One client's way to the store (HTTP through the gateway, or RESP to the primary). Not thread-safe: one per client.</summary>
public interface IKvProtocol : IAsyncDisposable
{
    /// <summary>"http" or "resp", for the report.</summary>
    string Name { get; }

    /// <summary>Runs one operation; never throws for what the store or the network did, only for cancellation of the run.</summary>
    Task<Answer> RunAsync(OperationKind kind, string key, string? value, CancellationToken cancellationToken);
}
