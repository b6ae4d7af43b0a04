namespace KvAspire.Node.Consensus;

/// <summary>How a request to hand over the primary role ended inside the core.</summary>
public enum TransferStatus
{
    /// <summary>The transfer is under way to <see cref="TransferResult.Target"/>.</summary>
    Started,
    NotPrimary,
    /// <summary>The named target is not a member, is this node, or is joining (it may not campaign); or no secondary can take over.</summary>
    UnknownTarget,
}

public readonly record struct TransferResult(TransferStatus Status, string? Target);

public sealed partial class Raft
{
    private string? _transferTarget;
    private int _transferElapsed;

    /// <summary>The secondary this primary is handing over to, or null.</summary>
    public string? TransferTarget => Role == Role.Primary ? _transferTarget : null;

    /// <summary>
    /// Hand the primary role to <paramref name="target"/>, or to the most up-to-date secondary when null
    /// (Raft thesis §3.10). Until the transfer ends, proposals are refused naming the target; the target
    /// is brought up to date and then sent <see cref="TimeoutNow"/>. Abandoned after an election timeout.
    /// </summary>
    public TransferResult HandOver(string? target = null)
    {
        if (Role != Role.Primary)
            return new TransferResult(TransferStatus.NotPrimary, Primary);
        target ??= MostUpToDateSecondary();
        if (target is null || target == Id || !Membership.IsVoter(target) || _progress[target].Joining)
            return new TransferResult(TransferStatus.UnknownTarget, target);
        _leaseForfeited = true;
        if (_transferTarget != target)
        {
            _transferTarget = target;
            _transferElapsed = 0;
        }
        var progress = _progress[target];
        if (progress.Match == Log.LastIndex)
            Send(new TimeoutNow(Id, target, Term));
        else
            SendReplicate(target, progress, heartbeat: true);
        return new TransferResult(TransferStatus.Started, target);
    }

    private string? MostUpToDateSecondary()
    {
        string? best = null;
        foreach (var peer in _voters)
        {
            if (!_progress[peer].Joining && (best is null || _progress[peer].Match > _progress[best].Match))
                best = peer;
        }
        return best;
    }

    /// <summary>On the primary's tick: a transfer that has not finished within an election timeout is abandoned.</summary>
    private void TickTransfer()
    {
        if (_transferTarget is null)
            return;
        if (++_transferElapsed >= _options.ElectionTicksMin)
            _transferTarget = null;
    }

    /// <summary>The target has caught up: tell it to campaign now.</summary>
    private void MaybeSendTimeoutNow(string peer, Progress progress)
    {
        if (peer == _transferTarget && progress.Match == Log.LastIndex)
            Send(new TimeoutNow(Id, peer, Term));
    }
}
