using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Http;
using KvAspire.Bench.Resp;
using KvAspire.Contracts;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Memory per key and restart-to-serving: loads N distinct keys through the primary's RESP port,
/// compares every node's resident memory before and after, then kills a secondary (kill -9),
/// starts it again and times until it answers <c>/cluster</c> and until it has applied everything
/// committed before the kill (its snapshot and log restored, any gap fetched from the primary).
/// </summary>
public sealed class RestartRun(Args args, ResultLog results)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);
    private readonly string _gateway = args.Text("gateway", "http://localhost:5080");
    private readonly string? _password = args.Password();
    private readonly int _keys = args.Int("keys", 100_000);
    private readonly int _valueBytes = args.Int("value-bytes", 100);
    private readonly int _clients = args.Int("clients", 50);
    private readonly int _pipeline = args.Int("pipeline", 16);
    private readonly string _label = args.Text("label", "restart");
    private readonly string _out = args.Text("out", "restart");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var control = HttpLoad.NewClient(4, TimeSpan.FromSeconds(2), _password);
        var view = await WaitCaughtUpAsync(control, cancellationToken);
        var before = view.Nodes.ToDictionary(n => n.Node, n => NodeProcess.RssBytes(n.ProcessId));
        var primary = NodeProcess.Read(view.PrimaryNode!.ProcessId);

        var load = await RespLoad.RunAsync(new RespLoadOptions("127.0.0.1", primary.RespPort, _clients, _pipeline, _keys, TimeSpan.Zero,
            _valueBytes, _keys, SequentialKeys: true, $"{_label} load", _password), "set", cancellationToken);
        Console.WriteLine(load);
        view = await WaitCaughtUpAsync(control, cancellationToken);
        foreach (var node in view.Nodes)
        {
            var after = NodeProcess.RssBytes(node.ProcessId);
            var perKey = (double)(after - before[node.Node]) / _keys;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label} {node.Node} ({node.Role}): RSS {before[node.Node] / 1048576.0:0.0} -> {after / 1048576.0:0.0} MiB, {perKey:0} bytes per key"));
            results.Write(new()
            {
                ["kind"] = "memory", ["label"] = _label, ["node"] = node.Node, ["role"] = node.Role.ToString(), ["keys"] = _keys,
                ["value_bytes"] = _valueBytes, ["rss_before"] = before[node.Node], ["rss_after"] = after, ["bytes_per_key"] = Math.Round(perKey),
            });
        }
        await RestartSecondaryAsync(control, view, cancellationToken);
    }

    private async Task RestartSecondaryAsync(HttpClient control, ClusterView view, CancellationToken cancellationToken)
    {
        var target = view.Nodes.First(n => n.Node != view.Primary);
        var victim = NodeProcess.Read(target.ProcessId);
        var committed = view.PrimaryNode!.CommitIndex;
        victim.Kill();
        await victim.WaitGoneAsync(cancellationToken); // its ports are free only once it is dead
        var started = Stopwatch.GetTimestamp();
        var process = victim.Relaunch($"{_out}-{target.Node}-relaunch.log");
        try
        {
            long? answeredMs = null;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            while (true)
            {
                var applied = await AppliedIndexAsync(control, victim.HttpUrl, deadline.Token);
                if (applied is not null)
                    answeredMs ??= ElapsedMs(started);
                if (applied >= committed)
                    break;
                await Task.Delay(20, deadline.Token);
            }
            var servingMs = ElapsedMs(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label} {target.Node}: process start -> /cluster answers {answeredMs} ms; -> applied index {committed:N0} ({_keys:N0} keys) {servingMs} ms"));
            results.Write(new()
            {
                ["kind"] = "restart", ["label"] = _label, ["node"] = target.Node, ["keys"] = _keys,
                ["answers_ms"] = answeredMs, ["caught_up_ms"] = servingMs, ["applied_index"] = committed,
            });
        }
        finally
        {
            await NodeProcess.StopAsync(process, TimeSpan.FromSeconds(15));
        }
    }

    private async Task<ClusterView> WaitCaughtUpAsync(HttpClient control, CancellationToken cancellationToken) =>
        await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "3 nodes caught up", Timeout, cancellationToken);

    /// <summary>The node's applied index, or null while it does not answer yet.</summary>
    private static async Task<long?> AppliedIndexAsync(HttpClient control, string nodeUrl, CancellationToken cancellationToken)
    {
        try
        {
            return (await control.GetFromJsonAsync<ClusterStatus>($"{nodeUrl}/cluster", cancellationToken))!.AppliedIndex;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static long ElapsedMs(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
