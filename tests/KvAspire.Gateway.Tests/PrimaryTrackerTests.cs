using System.Diagnostics;
using System.Diagnostics.Metrics;
using KvAspire.Node.Consensus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace KvAspire.Gateway.Tests;

public sealed class PrimaryTrackerTests : IDisposable
{
    /// <summary>Generous: a change is answered at once, but the machine may be loaded.</summary>
    private static readonly TimeSpan PollingDeadline = TimeSpan.FromSeconds(30);

    private readonly FakeClusterHandler cluster = new();
    private readonly ServiceProvider metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ClusterNode[] nodes = [.. new[] { "node1", "node2", "node3" }
        .Select(name => new ClusterNode(name, FakeClusterHandler.AddressOf(name)))];
    private readonly FakeLogger<PrimaryTracker> log = new();
    private PrimaryTracker tracker;

    public PrimaryTrackerTests()
    {
        tracker = NewTracker(pollInterval: TimeSpan.FromMilliseconds(300));
    }

    private PrimaryTracker NewTracker(TimeSpan pollInterval) => new(
        nodes, new HttpClient(cluster),
        Options.Create(new GatewayOptions { PollInterval = pollInterval, PollTimeout = TimeSpan.FromMilliseconds(200) }),
        log, new GatewayTelemetry(metrics.GetRequiredService<IMeterFactory>()));

    public void Dispose()
    {
        tracker.Dispose();
        metrics.Dispose();
    }

    [Fact]
    public async Task Primary_IsTheNodeReportingPrimaryWithTheHighestTerm()
    {
        cluster.Report("node1", Role.Primary, term: 2); // deposed, has not heard of term 3 yet
        cluster.Report("node2", Role.Primary, term: 3);
        cluster.Report("node3", Role.Secondary, term: 3);

        await PollAllAsync();

        Assert.Equal("node2", tracker.Primary);
        Assert.Equal(3, tracker.Snapshot().Term);
    }

    [Fact]
    public async Task Primary_IsNone_WhenNoNodeReportsPrimary()
    {
        cluster.Report("node1", Role.Candidate, term: 4);
        cluster.Report("node2", Role.Secondary, term: 3);

        await PollAllAsync();

        Assert.Null(tracker.Primary);
        Assert.Equal(4, tracker.Snapshot().Term);
    }

    [Fact]
    public async Task Primary_IsDropped_WhenItBecomesUnreachable()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        await PollAllAsync();

        cluster.Kill("node1");
        await PollAllAsync();

        Assert.Null(tracker.Primary);
        var (_, _, views) = tracker.Snapshot();
        Assert.False(views.Single(node => node.Node.Name == "node1").View.Reachable);
    }

    [Fact]
    public async Task Poll_GivesUpOnAHungNode_AfterPollTimeout()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        await PollAllAsync();
        cluster.Hang("node1");

        var elapsed = Stopwatch.StartNew();
        await tracker.PollAsync(nodes[0], CancellationToken.None);

        Assert.Null(tracker.Primary);
        Assert.InRange(elapsed.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Poll_OfANodeKilledWhileItAnswers_ReportsItUnreachable_AndThePollingGoesOn()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        await PollAllAsync();
        cluster.DieWhileAnswering("node1");

        var view = await tracker.PollAsync(nodes[0], CancellationToken.None);

        Assert.False(view.Reachable);
        Assert.Null(tracker.Primary);
        Assert.True((await tracker.PollAsync(nodes[0], CancellationToken.None)).Reachable);
        Assert.Equal("node1", tracker.Primary);
    }

    [Fact]
    public async Task ANodeGoingDown_IsOneLine_WithItsAddressAndTheError_NoStackTrace()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        cluster.Report("node2", Role.Secondary, term: 1);
        await PollAllAsync();
        cluster.Kill("node1");
        // Killed as it answers that it moved on (at once, rather than at the end of a long poll).
        cluster.Report("node2", Role.Secondary, term: 2);
        cluster.DieWhileAnswering("node2");

        await PollAllAsync();

        var unreachable = log.Collector.GetSnapshot().Where(record => record.Id.Id == 3).OrderBy(record => record.Message, StringComparer.Ordinal).ToList();
        Assert.Equal(2, unreachable.Count);
        Assert.Equal("Node node1 at http://node1.test/ is unreachable: Connection refused", unreachable[0].Message);
        Assert.StartsWith("Node node2 at http://node2.test/ is unreachable: ", unreachable[1].Message, StringComparison.Ordinal);
        Assert.Contains("The response ended prematurely.", unreachable[1].Message, StringComparison.Ordinal);
        Assert.All(unreachable, record => Assert.Null(record.Exception));
    }

    [Fact]
    public async Task NotPrimaryHint_SwitchesBeforeTheNextPoll()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        cluster.Report("node2", Role.Secondary, term: 1);
        await PollAllAsync();

        tracker.ObserveNotPrimary("node1", primaryHint: "node2", term: 2);

        Assert.Equal("node2", tracker.Primary);
    }

    [Fact]
    public async Task NotPrimaryHint_WithoutAPrimary_ClearsTheRefusingPrimary()
    {
        cluster.Report("node1", Role.Primary, term: 1);
        await PollAllAsync();

        tracker.ObserveNotPrimary("node1", primaryHint: null, term: 2);

        Assert.Null(tracker.Primary);
    }

    [Fact]
    public async Task NotPrimaryHint_FromAnOlderTerm_IsIgnored()
    {
        cluster.Report("node1", Role.Secondary, term: 5);
        cluster.Report("node2", Role.Primary, term: 5);
        cluster.Report("node3", Role.Secondary, term: 5);
        await PollAllAsync();

        tracker.ObserveNotPrimary("node3", primaryHint: "node1", term: 4);

        Assert.Equal("node2", tracker.Primary);
    }

    /// <remarks>A poll interval (how long a node holds the long poll) far beyond the deadline: the new primary must be seen
    /// because its answer came as it changed, not because a poll came round. How quickly is a number for the failover
    /// benchmark (bench/run.sh), not something a test on a shared machine can time.</remarks>
    [Fact]
    public async Task Polling_FollowsANewPrimary_AsItChanges_WithoutWaitingOutThePollInterval()
    {
        tracker.Dispose();
        tracker = NewTracker(pollInterval: TimeSpan.FromSeconds(60));
        cluster.Report("node1", Role.Primary, term: 1);
        cluster.Report("node2", Role.Secondary, term: 1);
        // node3 is down from the start.
        await tracker.StartAsync(CancellationToken.None);
        try
        {
            await WaitForPrimaryAsync("node1", PollingDeadline);

            // The primary dies and node2 wins term 2.
            cluster.Kill("node1");
            cluster.Report("node2", Role.Primary, term: 2);

            await WaitForPrimaryAsync("node2", PollingDeadline);
        }
        finally
        {
            await tracker.StopAsync(CancellationToken.None);
        }
    }

    private Task PollAllAsync() =>
        Task.WhenAll(nodes.Select(node => tracker.PollAsync(node, CancellationToken.None)));

    private async Task WaitForPrimaryAsync(string expected, TimeSpan deadline)
    {
        var elapsed = Stopwatch.StartNew();
        while (tracker.Primary != expected)
        {
            Assert.True(elapsed.Elapsed < deadline, $"{expected} not primary after {deadline}; primary is {tracker.Primary ?? "none"}");
            await Task.Delay(5);
        }
    }
}
