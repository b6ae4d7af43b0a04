using System.Globalization;
using KvAspire.Bench.Http;
using KvAspire.Bench.Resp;

namespace KvAspire.Bench.Runs;

/// <summary>
/// <c>resp</c> and <c>http</c>: one load run per test (like redis-benchmark's <c>-t</c>), each printed,
/// written as a JSON line of <paramref name="kind"/> with its <paramref name="setting"/>, and its latency
/// percentiles optionally written as CSV.
/// </summary>
public sealed class LoadCommand(string kind, string setting, string[] tests, Func<string, CancellationToken, Task<LoadResult>> load,
    Args args, ResultLog results)
{
    private readonly string? _latencyCsv = args.OptionalText("latency-csv");

    /// <summary><c>resp</c>: SET and GET over RESP (set, get).</summary>
    public static LoadCommand Resp(Args args, ResultLog results)
    {
        var options = RespLoadOptions.From(args);
        return new LoadCommand("resp", string.Create(CultureInfo.InvariantCulture, $"-c {options.Clients} -P {options.Pipeline}"),
            args.Text("tests", "set,get").Split(','), (test, cancel) => RespLoad.RunAsync(options, test, cancel), args, results);
    }

    /// <summary><c>http</c>: PUT and GET against a node, the gateway or etcd (put, get).</summary>
    public static LoadCommand Http(Args args, ResultLog results)
    {
        var options = HttpLoadOptions.From(args);
        return new LoadCommand("http", string.Create(CultureInfo.InvariantCulture, $"{options.Clients} clients"),
            args.Text("tests", "put,get").Split(','), (test, cancel) => HttpLoad.RunAsync(options, test, cancel), args, results);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var test in tests)
        {
            var result = await load(test, cancellationToken);
            Console.WriteLine(result);
            var record = result.ToRecord(kind);
            record["setting"] = setting;
            results.Write(record);
            if (_latencyCsv is not null)
                result.Latency.WritePercentileCsv($"{_latencyCsv}-{result.Operation.ToLowerInvariant()}.csv");
        }
    }
}
