using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Http;
using KvAspire.Bench.Resp;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Replication lag: a probe PUTs to the primary directly, then waits until each secondary's
/// <c>/cluster</c> reports the write's index as applied. Lag is measured from the primary's
/// acknowledgement to the secondary's report (resolution: one poll round trip, printed), idle and
/// optionally under a RESP SET load on the primary (<c>--load-clients</c> &gt; 0).
/// </summary>
public sealed class LagRun(Args args, ResultLog results)
{
    private readonly string _gateway = args.Text("gateway", "http://localhost:5080");
    private readonly string? _password = args.Password();
    private readonly TimeSpan _duration = args.Seconds("duration", 10);
    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(args.Int("interval-ms", 10));
    private readonly int _loadClients = args.Int("load-clients", 0);
    private readonly int _loadPipeline = args.Int("load-pipeline", 1);
    private readonly string _label = args.Text("label", "lag");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var control = HttpLoad.NewClient(8, TimeSpan.FromSeconds(5), _password);
        var view = await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "3 nodes caught up", TimeSpan.FromSeconds(60),
            cancellationToken);
        var primary = NodeProcess.Read(view.PrimaryNode!.ProcessId);
        var watchers = view.Nodes.Where(n => n.Node != view.Primary)
            .Select(n => new AppliedIndexWatcher(control, NodeProcess.Read(n.ProcessId).HttpUrl)).ToList();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var polling = watchers.Select(w => Task.Run(() => w.RunAsync(stop.Token))).ToList();
        var loading = _loadClients == 0 ? Task.FromResult<LoadResult?>(null) : LoadAsync(primary.RespPort, stop.Token);

        var lag = Latency.NewHistogram();
        var write = Latency.NewHistogram();
        var started = Stopwatch.StartNew();
        for (var n = 0; started.Elapsed < _duration; n++)
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await control.PutAsync($"{primary.HttpUrl}/kv/lag:probe", new ByteArrayContent(BitConverter.GetBytes(n)),
                cancellationToken);
            response.EnsureSuccessStatusCode();
            var acknowledged = Stopwatch.GetTimestamp();
            Latency.Record(write, sent, acknowledged);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var index = body.RootElement.GetProperty("index").GetInt64();
            foreach (var seen in await Task.WhenAll(watchers.Select(w => w.AppliedAsync(index))))
                Latency.Record(lag, acknowledged, Math.Max(acknowledged, seen));
            await Task.Delay(_interval, cancellationToken);
        }
        await stop.CancelAsync();
        await Task.WhenAll(polling);
        var loadResult = await loading;

        var resolution = watchers.Average(w => w.MeanPollMs);
        var load = loadResult is null ? "idle"
            : string.Create(CultureInfo.InvariantCulture, $"under load {loadResult.OpsPerSecond:N0} SET/s ({_loadClients} clients, -P {_loadPipeline})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_label}: {lag.TotalCount:N0} samples (acknowledged on the primary -> applied on a secondary): {lag.Summary()}; "
            + $"poll round trip {resolution:0.###} ms; probe PUT {write.Summary()}; {load}"));
        results.Write(new()
        {
            ["kind"] = "lag", ["label"] = _label, ["samples"] = lag.TotalCount,
            ["p50_ms"] = lag.Ms(50), ["p99_ms"] = lag.Ms(99), ["p999_ms"] = lag.Ms(99.9), ["max_ms"] = lag.MaxMs(),
            ["poll_ms"] = Math.Round(resolution, 3), ["load_ops_per_s"] = loadResult is null ? 0 : Math.Round(loadResult.OpsPerSecond),
        });
    }

    private async Task<LoadResult?> LoadAsync(int respPort, CancellationToken stop)
    {
        var options = new RespLoadOptions("127.0.0.1", respPort, _loadClients, _loadPipeline, long.MaxValue, TimeSpan.Zero, 64,
            100_000, SequentialKeys: false, $"{_label} load", _password);
        return await RespLoad.RunAsync(options, "set", stop);
    }
}
