using KvAspire.Bench;
using KvAspire.Bench.Cluster;
using KvAspire.Bench.Http;
using KvAspire.Bench.Runs;

// Issue 8's measurements, one sub-command each; bench/run.sh strings them together. Options are
// `--name value`; --json FILE appends one JSON line per result, which `report` turns into RESULTS.md.
const string Usage = """
    usage: KvAspire.Bench <command> [--option value ...]
      resp      --port P [--host H] [--tests set,get] [--clients 50] [--pipeline 1] [--requests N | --duration S]
                [--value-bytes 64] [--keyspace 100000] [--keys random|sequential] [--label L] [--latency-csv PREFIX]
      http      --url U [--api kv|etcd] [--tests put,get] [--clients 16] [--requests N | --duration S] [--label L]
                [--latency-csv PREFIX]
      lag       [--gateway U] [--duration 10] [--interval-ms 10] [--load-clients 0] [--load-pipeline 1] [--label L]
      failover  [--gateway U] [--rounds 3] [--clients 4] [--warmup 3] [--after 2] [--timeout 1] [--label L] [--out PREFIX]
      resp-failover [--gateway U] [--rounds 3] [--warmup 3] [--after 2] [--label L] [--out PREFIX]: StackExchange.Redis with
                default options across kill -9 of the primary: the longest write gap
      restart   [--gateway U] [--keys 100000] [--value-bytes 100] [--clients 50] [--pipeline 16] [--label L] [--out PREFIX]
      membership [--gateway U] [--spare node4] [--keys 1000000] [--value-bytes 100] [--writers 4] [--window 5] [--label L]
                [--out PREFIX]: start a spare node, add it as a learner (time to catch up), promote it, remove it, with writers
                measuring the latency around each change
      primary-url [--gateway U] [--print url|resp-port]: prints the primary's own HTTP URL (for direct requests) or RESP port
      plot-latency    --series "label=file.csv;..." --title T --png FILE
      plot-throughput --series "label=file.csv;..." --title T --png FILE
      report    --results FILE.jsonl --markdown bench/RESULTS.md --header TEXT
    the load and cluster commands take --json FILE, and --password P: KvAspire's client password (Auth:Password),
    sent as RESP AUTH and as the HTTP bearer token; default: the environment's KV_PASSWORD; --password "" sends
    none (Redis, Garnet and etcd started without one)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

var options = new Args(args.Skip(1));
var log = new ResultLog(options.OptionalText("json"));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

// Every command reads its options when it is built, so a mistyped option fails before anything runs.
Func<CancellationToken, Task> command = args[0] switch
{
    "resp" => LoadCommand.Resp(options, log).RunAsync,
    "http" => LoadCommand.Http(options, log).RunAsync,
    "lag" => new LagRun(options, log).RunAsync,
    "failover" => new FailoverRun(options, log).RunAsync,
    "resp-failover" => new RespFailoverRun(options, log).RunAsync,
    "restart" => new RestartRun(options, log).RunAsync,
    "membership" => new MembershipRun(options, log).RunAsync,
    "primary-url" => PrimaryUrl(options),
    "plot-latency" => Plot(options, Plots.Latency),
    "plot-throughput" => Plot(options, Plots.Throughput),
    "report" => ReportCommand(options),
    _ => throw new ArgumentException($"unknown command '{args[0]}'\n{Usage}"),
};
options.EnsureAllRead();
await command(cancel.Token);
return 0;

static Func<CancellationToken, Task> Plot(Args o, Action<IEnumerable<(string, string)>, string, string> draw)
{
    var (series, title, png) = (Plots.ParseSeries(o.Text("series", "")).ToList(), o.Text("title", ""), o.Text("png", "plot.png"));
    return _ => Task.Run(() => draw(series, title, png));
}

static Func<CancellationToken, Task> PrimaryUrl(Args o)
{
    var (gateway, password, print) = (o.Text("gateway", "http://localhost:5080"), o.Password(), o.Text("print", "url"));
    if (print is not ("url" or "resp-port"))
        throw new ArgumentException($"--print is 'url' or 'resp-port'; got '{print}'");
    return async token =>
    {
        using var client = HttpLoad.NewClient(1, TimeSpan.FromSeconds(5), password);
        var view = await ClusterView.WaitAsync(client, gateway, v => v.PrimaryNode is not null, "a primary",
            TimeSpan.FromSeconds(60), token);
        var primary = NodeProcess.Read(view.PrimaryNode!.ProcessId);
        Console.WriteLine(print == "resp-port" ? primary.RespPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : primary.HttpUrl);
    };
}

static Func<CancellationToken, Task> ReportCommand(Args o)
{
    var (results, markdown, header) = (o.Text("results", "results.jsonl"), o.Text("markdown", "bench/RESULTS.md"), o.Text("header", ""));
    return _ => Task.Run(() => Report.Write(results, markdown, header));
}
