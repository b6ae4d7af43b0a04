using KvAspire.Node.Cluster;
using Microsoft.Extensions.Configuration;

namespace KvAspire.Node.Tests.Cluster;

/// <summary>While a snapshot arrives from the primary, /cluster says Syncing and how far it got; a stream
/// that fails ends it.</summary>
public sealed class SyncingStatusTests : IAsyncLifetime
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kv-syncing-" + Guid.NewGuid().ToString("N"));
    private RaftHost? _host;

    [Fact]
    public async Task ReceivingASnapshot_IsReportedAsSyncing_WithBytesReceived_UntilTheStreamIsAbandoned()
    {
        var peers = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:node2:peer:0"] = "http://127.0.0.1:1",
            ["services:node3:peer:0"] = "http://127.0.0.1:2",
        }).Build();
        _host = TestHost.Create("node1", _directory, peers, new NoPeers()).Host;
        await _host.StartAsync(CancellationToken.None);

        Assert.True(_host.Syncing.TryBegin("node2", snapshotIndex: 5000, bytesTotal: 1000));
        _host.Syncing.Received(400);
        var syncing = await StatusWhereAsync(s => s.State == ClusterState.Syncing);

        Assert.Equal(new SyncProgress("node2", 5000, 400, 1000, SyncPhase.Transfer, 5000), syncing.Sync);

        _host.Syncing.Abandoned();
        var after = await StatusWhereAsync(s => s.State != ClusterState.Syncing);
        Assert.Null(after.Sync);
        Assert.Null(after.LastSync);
    }

    private async Task<ClusterStatus> StatusWhereAsync(Func<ClusterStatus, bool> condition)
    {
        using var timeout = new CancellationTokenSource(StatusTimeout);
        while (!condition(_host!.Status))
            await _host.StatusChanged.WaitAsync(timeout.Token);
        return _host.Status;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 does not dispose test classes asynchronously, and the
    // processes or host started here must not outlive the test.
    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            _host.Dispose();
        }
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
