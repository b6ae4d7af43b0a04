namespace KvAspire.Chaos.Cluster;

/// <summary>How the run's cluster is started: Cluster:Timing, Replication:Acknowledge, and where its files go.</summary>
public sealed record ClusterSettings(string Timing, string Acknowledge, string WorkDirectory)
{
    /// <summary>The longest election timeout of <see cref="Timing"/> (ClusterOptions: Fast 300-600 ms, Default 5-8 s).</summary>
    public TimeSpan ElectionTimeout => Timing == "Fast" ? TimeSpan.FromMilliseconds(600) : TimeSpan.FromSeconds(8);

    public void Validate()
    {
        if (Timing is not ("Fast" or "Default"))
            throw new ArgumentException($"--timing is Fast or Default; got '{Timing}'");
        if (Acknowledge is not ("Quorum" or "Leader"))
            throw new ArgumentException($"--acknowledge is Quorum or Leader; got '{Acknowledge}'");
    }
}
