using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Resp;
using KvAspire.Contracts;
using KvAspire.Node.Consensus;

namespace KvAspire.Bench.Runs;

/// <summary>
/// Issue 19's measurements on a running AppHost cluster and one of its spare nodes: loads N keys, starts the spare (this
/// tool's child, set up from a founding node's environment as Aspire would start it), adds it as a learner and times its
/// catch-up, promotes it, then removes it again. Writers send one write at a time each to the primary throughout, so the
/// write latency in steady state can be set beside the latency in the seconds after each change; the primary's term before
/// and after tells whether any change caused an election.
/// </summary>
public sealed class MembershipRun(Args args, ResultLog results)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(600);
    private readonly string _gateway = args.Text("gateway", "http://localhost:5080");
    private readonly string? _password = args.Password();
    private readonly string _spare = args.Text("spare", "node4");
    private readonly int _keys = args.Int("keys", 1_000_000);
    private readonly int _valueBytes = args.Int("value-bytes", 100);
    private readonly int _writers = args.Int("writers", 4);
    private readonly TimeSpan _window = args.Seconds("window", 5);
    private readonly string _label = args.Text("label", "membership");
    private readonly string _out = args.Text("out", "membership");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var control = Http.HttpLoad.NewClient(8, TimeSpan.FromSeconds(30), _password);
        var view = await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "the members caught up", Timeout, cancellationToken);
        var primary = NodeProcess.Read(view.PrimaryNode!.ProcessId);
        var adminSecret = primary.Environment["Admin__Secret"];
        if (_keys > 0)
        {
            var load = await RespLoad.RunAsync(new RespLoadOptions("127.0.0.1", primary.RespPort, 50, 16, _keys, TimeSpan.Zero,
                _valueBytes, _keys, SequentialKeys: true, $"{_label} load", _password), "set", cancellationToken);
            Console.WriteLine(load);
            view = await ClusterView.WaitAsync(control, _gateway, v => v.AllCaughtUp, "the members caught up", Timeout, cancellationToken);
        }
        var termBefore = view.PrimaryNode!.Term;
        await Task.Delay(_window, cancellationToken); // the load's snapshots and compactions settle before "steady" is measured

        using var stop = new CancellationTokenSource();
        var samples = new List<(long Started, double Ms, bool Ok)>();
        var writers = Enumerable.Range(0, _writers).Select(w => WriteAsync(primary.HttpUrl, w, samples, stop.Token)).ToList();
        await Task.Delay(_window, cancellationToken);

        var spareHttp = FreePort();
        var spare = primary.Relaunch($"{_out}-{_spare}.log", SpareEnvironment(primary, spareHttp));
        var spareUrl = $"http://localhost:{spareHttp}";
        try
        {
            await UntilAsync(async () => await StatusAsync(control, spareUrl) is not null, $"{_spare} to answer", cancellationToken);
            using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", adminSecret) } };

            var added = Stopwatch.GetTimestamp();
            var target = (await StatusAsync(control, primary.HttpUrl))!.CommitIndex;
            await ChangeAsync(admin, HttpMethod.Post, $"{primary.HttpUrl}/cluster/members", new { id = _spare }, cancellationToken);
            await UntilAsync(async () => await StatusAsync(control, spareUrl) is { AppliedIndex: var applied, Sync: null } && applied >= target,
                $"{_spare} to apply the {target:N0} entries committed when it was added", cancellationToken);
            var catchUpMs = Ms(added);
            var caughtUp = Stopwatch.GetTimestamp();

            var promoting = Stopwatch.GetTimestamp();
            await UntilAsync(async () => await TryChangeAsync(admin, HttpMethod.Post, $"{primary.HttpUrl}/cluster/members/{_spare}/promote", cancellationToken),
                $"{_spare}'s promotion", cancellationToken);
            var promoteMs = Ms(promoting);
            await Task.Delay(_window, cancellationToken);

            var removing = Stopwatch.GetTimestamp();
            await ChangeAsync(admin, HttpMethod.Delete, $"{primary.HttpUrl}/cluster/members/{_spare}", null, cancellationToken);
            await Task.Delay(_window, cancellationToken);
            stop.Cancel();
            await Task.WhenAll(writers);

            var termAfter = (await StatusAsync(control, primary.HttpUrl))!.Term;
            Report(samples, (added, caughtUp), promoting, removing, catchUpMs, promoteMs, target, termBefore, termAfter);
        }
        finally
        {
            stop.Cancel();
            await NodeProcess.StopAsync(spare, TimeSpan.FromSeconds(15));
        }
    }

    /// <summary>The spare as Aspire would start it: the founding node's setup, with the spare's name, folder and the ports
    /// the founding nodes already know it by (service discovery names every declared node, started or not).</summary>
    private Dictionary<string, string?> SpareEnvironment(NodeProcess from, int httpPort)
    {
        var self = from.Environment["Cluster__NodeId"];
        var data = Path.Combine(Path.GetDirectoryName(from.Environment["Storage__DataDirectory"].TrimEnd('/'))!, $"{_spare}-bench");
        if (Directory.Exists(data))
            Directory.Delete(data, recursive: true);
        return new()
        {
            ["Cluster__NodeId"] = _spare,
            ["OTEL_SERVICE_NAME"] = _spare,
            ["Storage__DataDirectory"] = data,
            ["KV_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture),
            ["KV_PEER_PORT"] = new Uri(from.Environment[$"services__{_spare}__peer__0"]).Port.ToString(CultureInfo.InvariantCulture),
            ["KV_RESP_PORT"] = new Uri(from.Environment[$"services__{_spare}__resp__0"]).Port.ToString(CultureInfo.InvariantCulture),
            [$"services__{_spare}__peer__0"] = null,
            [$"services__{_spare}__resp__0"] = null,
            [$"services__{self}__peer__0"] = $"http://localhost:{from.Environment["KV_PEER_PORT"]}",
            [$"services__{self}__resp__0"] = $"tcp://localhost:{from.RespPort}",
        };
    }

    private async Task WriteAsync(string primaryUrl, int writer, List<(long, double, bool)> samples, CancellationToken stop)
    {
        using var client = Http.HttpLoad.NewClient(1, TimeSpan.FromSeconds(10), _password);
        var value = new string('v', _valueBytes);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var started = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                using var response = await client.PutAsync($"{primaryUrl}/kv/membership-bench-{writer}-{i % 1000}", new StringContent(value), stop);
                ok = response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                ok = false;
            }
            if (stop.IsCancellationRequested)
                break;
            lock (samples)
                samples.Add((started, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok));
        }
    }

    /// <param name="catchUp">From the learner's addition until it had applied what was committed then: the whole copy.</param>
    private void Report(List<(long Started, double Ms, bool Ok)> samples, (long From, long To) catchUp, long promoting, long removing,
        long catchUpMs, long promoteMs, long entries, long termBefore, long termAfter)
    {
        var window = (long)(_window.TotalSeconds * Stopwatch.Frequency);
        IEnumerable<(long Started, double Ms, bool Ok)> From(long at) => samples.Where(x => x.Started >= at && x.Started < at + window);
        var steady = samples.Where(x => x.Started < catchUp.From).ToList();
        var lines = new[]
        {
            ("steady", steady),
            ("learner catching up", samples.Where(x => x.Started >= catchUp.From && x.Started < catchUp.To).ToList()),
            ("promote", From(promoting).ToList()),
            ("remove", From(removing).ToList()),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_label}: {_spare} caught up with {entries:N0} entries ({_keys:N0} keys loaded) {catchUpMs} ms after it was added; promotion took {promoteMs} ms; term {termBefore} -> {termAfter} ({(termAfter == termBefore ? "no election" : "ELECTION")})"));
        foreach (var (name, set) in lines)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label} {name,-24} writes {set.Count,6}  failed {set.Count(x => !x.Ok),4}  p50 {Percentile(set, 0.5),7:0.0} ms  p99 {Percentile(set, 0.99),7:0.0} ms  max {(set.Count == 0 ? double.NaN : set.Max(x => x.Ms)),7:0.0} ms  p99/steady {Percentile(set, 0.99) / Percentile(steady, 0.99):0.00}"));
            results.Write(new()
            {
                ["kind"] = "membership", ["label"] = _label, ["phase"] = name, ["writes"] = set.Count, ["failed"] = set.Count(x => !x.Ok),
                ["p50_ms"] = Math.Round(Percentile(set, 0.5), 2), ["p99_ms"] = Math.Round(Percentile(set, 0.99), 2), ["catch_up_ms"] = catchUpMs,
                ["keys"] = _keys, ["entries"] = entries, ["term_before"] = termBefore, ["term_after"] = termAfter,
            });
        }
    }

    private static double Percentile(List<(long Started, double Ms, bool Ok)> set, double p)
    {
        var sorted = set.Select(x => x.Ms).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * p) - 1)];
    }

    private static async Task ChangeAsync(HttpClient admin, HttpMethod method, string url, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await admin.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>True once the change is made; false while the primary says to retry (409: the learner has not caught up).</summary>
    private static async Task<bool> TryChangeAsync(HttpClient admin, HttpMethod method, string url, CancellationToken cancellationToken)
    {
        using var response = await admin.SendAsync(new HttpRequestMessage(method, url), cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
            return false;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return true;
    }

    private static async Task<ClusterStatus?> StatusAsync(HttpClient control, string nodeUrl)
    {
        try
        {
            return await control.GetFromJsonAsync<ClusterStatus>($"{nodeUrl}/cluster");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> done, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await done())
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"waited {Timeout.TotalSeconds:0} s for {what}");
            await Task.Delay(50, cancellationToken);
        }
    }

    private static long Ms(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
