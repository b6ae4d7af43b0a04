using System.Globalization;
using KvAspire.Bench.Http;
using KvAspire.Bench.Resp;

namespace KvAspire.Bench.Runs;

/// <summary><c>resp</c>: one RESP load run per test (set, get), like redis-benchmark's <c>-t</c>.</summary>
public sealed class RespCommand(Args args, ResultLog results)
{
    private readonly RespLoadOptions _options = RespLoadOptions.From(args);
    private readonly string[] _tests = args.Text("tests", "set,get").Split(',');
    private readonly string? _latencyCsv = args.OptionalText("latency-csv");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var test in _tests)
        {
            var result = await RespLoad.RunAsync(_options, test, cancellationToken);
            Report(result, "resp", string.Create(CultureInfo.InvariantCulture, $"-c {_options.Clients} -P {_options.Pipeline}"),
                results, _latencyCsv);
        }
    }

    internal static void Report(LoadResult result, string kind, string setting, ResultLog results, string? latencyCsv)
    {
        Console.WriteLine(result);
        var record = result.ToRecord(kind);
        record["setting"] = setting;
        results.Write(record);
        if (latencyCsv is not null)
            result.Latency.WritePercentileCsv($"{latencyCsv}-{result.Operation.ToLowerInvariant()}.csv");
    }
}

/// <summary><c>http</c>: one HTTP load run per test (put, get) against a node, the gateway or etcd.</summary>
public sealed class HttpCommand(Args args, ResultLog results)
{
    private readonly HttpLoadOptions _options = HttpLoadOptions.From(args);
    private readonly string[] _tests = args.Text("tests", "put,get").Split(',');
    private readonly string? _latencyCsv = args.OptionalText("latency-csv");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var test in _tests)
        {
            var result = await HttpLoad.RunAsync(_options, test, cancellationToken);
            RespCommand.Report(result, "http", string.Create(CultureInfo.InvariantCulture, $"{_options.Clients} clients"), results, _latencyCsv);
        }
    }
}
