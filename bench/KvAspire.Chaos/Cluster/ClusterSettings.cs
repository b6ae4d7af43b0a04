namespace KvAspire.Chaos.Cluster;

/// <summary>How the run's cluster is started: Cluster:Timing, Replication:Acknowledge, how many spare nodes it declares
/// beside the three founding members, and where its files go.</summary>
public sealed record ClusterSettings(string Timing, string Acknowledge, int Spares, string WorkDirectory)
{
    /// <summary>The longest election timeout of <see cref="Timing"/> (ClusterOptions: Fast 300-600 ms, Default 5-8 s).</summary>
    public TimeSpan ElectionTimeout => Timing == "Fast" ? TimeSpan.FromMilliseconds(600) : TimeSpan.FromSeconds(8);

    /// <summary>Five voters at most: each one a process on the same two cores, and five already tolerate two down.</summary>
    public const int MaxSpares = 2;

    public void Validate()
    {
        if (Timing is not ("Fast" or "Default"))
            throw new ArgumentException($"--timing is Fast or Default; got '{Timing}'");
        // Leader is Primary's first name, which the nodes still accept.
        if (Acknowledge is not ("Quorum" or "Primary" or "Leader"))
            throw new ArgumentException($"--acknowledge is Quorum or Primary; got '{Acknowledge}'");
        if (Spares is < 0 or > MaxSpares)
            throw new ArgumentException($"--spares is 0 to {MaxSpares}; got {Spares}");
    }
}
