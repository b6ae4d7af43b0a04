using KvAspire.Node.Consensus;

namespace KvAspire.Node.Cluster;

/// <summary>How an operator's request to hand over the primary role ended.</summary>
public abstract record StepDownOutcome
{
    private StepDownOutcome() { }

    /// <summary>The primary role moved: <see cref="Primary"/> is primary in <see cref="Term"/>.</summary>
    public sealed record Transferred(string Primary, long Term) : StepDownOutcome;

    public sealed record NotPrimary(string? Primary, long Term) : StepDownOutcome;

    /// <summary>The named node is not a member of the cluster, or is this node.</summary>
    public sealed record UnknownTarget(string? Target) : StepDownOutcome;

    /// <summary>The target did not catch up and take over within an election timeout; this node is still primary.</summary>
    public sealed record Abandoned(string Target, long Term) : StepDownOutcome;

    /// <summary>No new primary was known within the wait; the transfer may still complete.</summary>
    public sealed record Pending(TimeSpan After) : StepDownOutcome;
}

/// <summary>Step-down requests waiting for a new primary to be known. Owned by the host loop thread.</summary>
public sealed class PendingStepDowns
{
    private readonly List<TaskCompletionSource<StepDownOutcome>> _waiting = [];
    private string? _target;

    /// <summary>Starts a transfer on <paramref name="raft"/>; the request completes now or in a later <see cref="Update"/>.</summary>
    public void Start(Raft raft, string? target, TaskCompletionSource<StepDownOutcome> completion)
    {
        var result = raft.HandOver(target);
        switch (result.Status)
        {
            case TransferStatus.NotPrimary:
                completion.TrySetResult(new StepDownOutcome.NotPrimary(result.Target, raft.Term));
                break;
            case TransferStatus.UnknownTarget:
                completion.TrySetResult(new StepDownOutcome.UnknownTarget(result.Target));
                break;
            default:
                _target = result.Target;
                _waiting.Add(completion);
                break;
        }
    }

    /// <summary>After each batch: completes the waiting requests once another node is primary, or the core gave up.</summary>
    public void Update(Raft raft)
    {
        if (_waiting.Count == 0)
            return;
        StepDownOutcome? outcome = raft.Primary is { } primary && primary != raft.Id
            ? new StepDownOutcome.Transferred(primary, raft.Term)
            : raft.Role == Role.Primary && raft.TransferTarget is null
                ? new StepDownOutcome.Abandoned(_target ?? "", raft.Term)
                : null;
        if (outcome is null)
            return;
        foreach (var completion in _waiting)
            completion.TrySetResult(outcome);
        _waiting.Clear();
    }
}
