namespace KvAspire.Chaos.Faults;

/// <summary>What a fault does to the cluster (docs/chaos.md describes each).</summary>
public enum FaultKind
{
    /// <summary>kill -9 of one node, restarted after the fault's duration.</summary>
    Kill,
    /// <summary>SIGSTOP of one node for longer than the election timeout, then SIGCONT.</summary>
    Pause,
    /// <summary>The node's own isolate control (<c>POST /admin/isolate</c>): all its peer traffic dropped.</summary>
    Isolate,
    /// <summary>One node stops sending to one other (<c>POST /admin/cut</c>) while still hearing from it.</summary>
    OneWayPartition,
    /// <summary>The node restarted with every fsync of its log delayed (<c>Storage:FaultInjection:FsyncDelay</c>).</summary>
    SlowDisk,
    /// <summary>The node restarted with a disk whose fsyncs fail after a count (<c>Storage:FaultInjection:FailFsyncAfter</c>),
    /// so it stops by itself; then restarted with a good disk.</summary>
    FailingDisk,
    /// <summary>kill -9 of every node at once, all restarted after the fault's duration.</summary>
    ClusterRestart,
    /// <summary>kill -9 of one node, its data folder deleted, restarted empty: it rejoins under a new identity.</summary>
    WipedNode,
}
