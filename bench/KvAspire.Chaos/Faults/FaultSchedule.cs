namespace KvAspire.Chaos.Faults;

/// <summary>
/// A run's faults, drawn from its seed alone: the same seed, length, nodes and timing give the same schedule, which
/// the run prints before it starts. Faults come in rounds holding every kind once, in an order the seed shuffles, so
/// any run long enough for one round (about 90 s with the Fast timing) injects every kind.
/// </summary>
public static class FaultSchedule
{
    /// <summary>Load runs this long before the first fault, so the history starts with a healthy cluster.</summary>
    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);

    /// <summary>What the planner allows for the cluster to heal after a fault (restarts, elections, catching up).</summary>
    private static readonly TimeSpan HealAllowance = TimeSpan.FromSeconds(4);

    /// <param name="electionTimeout">The cluster's longest election timeout: pauses and partitions last several of them,
    /// long enough for the others to notice and elect.</param>
    public static IReadOnlyList<ScheduledFault> Plan(int seed, TimeSpan runLength, IReadOnlyList<string> nodes, TimeSpan electionTimeout)
    {
        var random = new Random(seed);
        var faults = new List<ScheduledFault>();
        var round = new Queue<FaultKind>();
        var planned = Warmup;
        while (true)
        {
            if (round.Count == 0)
            {
                var kinds = Enum.GetValues<FaultKind>();
                random.Shuffle(kinds);
                round = new Queue<FaultKind>(kinds);
            }
            var quiet = Seconds(random, 2, 4);
            var fault = Draw(random, faults.Count + 1, quiet, round.Dequeue(), nodes, electionTimeout);
            planned += quiet + fault.Duration + HealAllowance;
            if (planned > runLength)
                return faults;
            faults.Add(fault);
        }
    }

    private static ScheduledFault Draw(Random random, int number, TimeSpan quiet, FaultKind kind, IReadOnlyList<string> nodes, TimeSpan electionTimeout)
    {
        // Half of the single-node faults hit the primary, whose loss is the interesting case; the rest any node.
        var target = random.Next(2) == 0 ? ScheduledFault.Primary : nodes[random.Next(nodes.Count)];
        var outage = electionTimeout * (2 + 3 * random.NextDouble());
        return kind switch
        {
            FaultKind.Kill or FaultKind.WipedNode => new(number, quiet, kind, target, Seconds(random, 1, 3)),
            FaultKind.Pause or FaultKind.Isolate => new(number, quiet, kind, target, outage),
            FaultKind.OneWayPartition => random.Next(2) == 0
                ? new(number, quiet, kind, ScheduledFault.Primary, outage, Peer: nodes[random.Next(nodes.Count)])
                : new(number, quiet, kind, nodes[random.Next(nodes.Count)], outage, Peer: ScheduledFault.Primary),
            FaultKind.SlowDisk => new(number, quiet, kind, target, Seconds(random, 4, 8),
                FsyncDelay: TimeSpan.FromMilliseconds(random.Next(20, 200))),
            FaultKind.FailingDisk => new(number, quiet, kind, target, Seconds(random, 4, 8), FailFsyncAfter: random.Next(10, 100)),
            FaultKind.ClusterRestart => new(number, quiet, kind, ScheduledFault.All, Seconds(random, 1, 2)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a fault kind"),
        };
    }

    private static TimeSpan Seconds(Random random, double min, double max) =>
        TimeSpan.FromSeconds(Math.Round(min + (max - min) * random.NextDouble(), 1));
}
