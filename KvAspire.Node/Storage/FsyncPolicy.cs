namespace KvAspire.Node.Storage;

/// <summary>
/// When appended log entries are forced to stable storage. An entry counts towards a quorum only
/// once it is durable under the policy in force.
/// </summary>
public enum FsyncPolicy
{
    /// <summary>Before any acknowledgement. One fsync covers every entry that arrived meanwhile
    /// (group commit), so throughput does not collapse.</summary>
    Always,
    /// <summary>Written to the operating system at once, fsynced at most a second later: a machine
    /// crash (not a process crash) can lose the last second on this node.</summary>
    EverySecond,
    /// <summary>Left to the operating system.</summary>
    Never,
}
