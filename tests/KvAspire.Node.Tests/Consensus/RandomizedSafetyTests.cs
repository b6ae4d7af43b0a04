using KvAspire.Node.Consensus;

namespace KvAspire.Node.Tests.Consensus;

/// <summary>
/// Seeded chaos: isolation, healing, crashes, restarts, dropped, duplicated and delayed messages and a
/// steady stream of proposals. <see cref="TestNetwork"/> checks the safety properties (Raft §5.4,
/// Figure 3) on every Ready; this test adds the cross-node ones after every tick and, at the end of
/// every run, that a healed cluster makes progress again. A failure names its seed so it replays exactly.
/// </summary>
public class RandomizedSafetyTests
{
    private const int Seeds = 200;
    private const int TicksPerSeed = 300;

    [Fact]
    public void ThreeNodes_UnderRandomFaults_KeepEveryRaftSafetyProperty()
    {
        for (var seed = 1; seed <= Seeds; seed++)
            Run(seed);
    }

    private static void Run(int seed)
    {
        var random = new Random(seed);
        // Half the runs use the paper's elections, half add pre-vote and the primary lease.
        var options = new RaftOptions { PreVote = seed % 2 == 0, CheckQuorum = seed % 2 == 0 };
        var network = new TestNetwork(3, seed, options) { DropRate = 0.05, DuplicateRate = 0.02, DelayRate = 0.05 };
        var writes = 0;

        for (var tick = 0; tick < TicksPerSeed; tick++)
        {
            Disturb(network, random);
            if (random.NextDouble() < 0.3)
            {
                var id = RandomNode(network, random, n => !network.IsCrashed(n));
                if (id is not null)
                    network.Propose(id, $"s{seed}-w{writes++}");
            }
            network.Tick();
            CheckAppliedSequencesArePrefixes(network, seed);
        }

        // Liveness: with every node up and connected, a primary commits in its term and everyone catches up.
        network.Heal();
        network.DropRate = network.DuplicateRate = network.DelayRate = 0;
        foreach (var id in network.Ids.Where(network.IsCrashed))
            network.Restart(id);
        network.RunUntil(() => network.Primaries.Count == 1 && network.Primary.HasCommittedInCurrentTerm
            && network.AllLiveApplied(network.Primary.Log.LastIndex), 400, $"recovery of seed {seed}");
        CheckAppliedSequencesArePrefixes(network, seed);
        if (!(ReplicationTests.AllLogsMatch(network)))
            Assert.Fail($"seed {seed}: logs differ after recovery: {network.Describe()}");
    }

    private static void Disturb(TestNetwork network, Random random)
    {
        var roll = random.NextDouble();
        if (roll < 0.02)
        {
            var id = RandomNode(network, random, n => !network.IsIsolated(n));
            if (id is not null)
                network.Isolate(id);
        }
        else if (roll < 0.05)
        {
            network.Heal();
        }
        else if (roll < 0.065)
        {
            var id = RandomNode(network, random, n => !network.IsCrashed(n));
            if (id is not null && network.Live.Count() > 1)
                network.Crash(id);
        }
        else if (roll < 0.10)
        {
            var id = RandomNode(network, random, network.IsCrashed);
            if (id is not null)
                network.Restart(id);
        }
    }

    private static string? RandomNode(TestNetwork network, Random random, Func<string, bool> eligible)
    {
        var candidates = network.Ids.Where(eligible).ToList();
        return candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
    }

    /// <summary>State machine safety: every node applies the same sequence, so each is a prefix of the longest.</summary>
    private static void CheckAppliedSequencesArePrefixes(TestNetwork network, int seed)
    {
        var longest = network.Ids.Select(network.Applied).MaxBy(a => a.Count)!;
        foreach (var id in network.Ids)
        {
            var applied = network.Applied(id);
            for (var i = 0; i < applied.Count; i++)
                if (!TestNetwork.SameEntry(applied[i], longest[i]))
                    Assert.Fail($"seed {seed}, tick {network.Ticks}: {id} applied a different entry at index {i + 1}");
        }
    }
}
