using System.Diagnostics;
using System.Globalization;
using System.Text;
using HdrHistogram;

namespace KvAspire.Bench.Resp;

/// <summary>Settings of one RESP load run, named as redis-benchmark names them (-c, -P, -n, -d, -r).</summary>
public sealed record RespLoadOptions(string Host, int Port, int Clients, int Pipeline, long Requests, TimeSpan Duration,
    int ValueBytes, int KeySpace, bool SequentialKeys, string Label, string? Password)
{
    public static RespLoadOptions From(Args args) => new(
        args.Text("host", "127.0.0.1"), args.Int("port", 6379), args.Int("clients", 50), args.Int("pipeline", 1),
        args.Int("requests", 100_000), args.Seconds("duration", 0), args.Int("value-bytes", 64), args.Int("keyspace", 100_000),
        args.Text("keys", "random") == "sequential", args.Text("label", "resp"), args.Password());
}

/// <summary>
/// SET or GET load over N connections, each sending batches of <c>Pipeline</c> commands and waiting
/// for all replies before the next batch, as redis-benchmark does. A reply's latency runs from its
/// batch's send to its arrival. The run stops after <c>Requests</c> commands in all, or after
/// <c>Duration</c> if that is set, or when cancelled.
/// </summary>
public static class RespLoad
{
    public static async Task<LoadResult> RunAsync(RespLoadOptions o, string operation, CancellationToken cancellationToken,
        Timeline? timeline = null)
    {
        var command = Encoding.ASCII.GetBytes(operation.ToUpperInvariant());
        var isSet = operation.Equals("set", StringComparison.OrdinalIgnoreCase);
        var value = new byte[o.ValueBytes];
        Array.Fill(value, (byte)'x');
        using var run = new LoadRun(o.Label, operation, o.Requests, o.Duration, cancellationToken);

        async Task<LongHistogram> Worker(int seed)
        {
            var histogram = Latency.NewHistogram();
            var random = new Random(seed);
            using var connection = await RespConnection.ConnectAsync(o.Host, o.Port, o.Password, run.Stopping);
            try
            {
                while (!run.Stopping.IsCancellationRequested)
                {
                    // The last batch may be short so the total is exactly Requests.
                    var batch = run.Claim(o.Pipeline, out var first);
                    if (batch == 0)
                        break;
                    for (var i = 0; i < batch; i++)
                    {
                        var key = Key(o.SequentialKeys ? (first + i) % o.KeySpace : random.Next(o.KeySpace));
                        if (isSet)
                            connection.Append(command, key, value);
                        else
                            connection.Append(command, key);
                    }
                    var sent = Stopwatch.GetTimestamp();
                    await connection.SendAsync(run.Stopping);
                    for (var i = 0; i < batch; i++)
                    {
                        var ok = await connection.ReadReplyAsync(run.Stopping);
                        var now = Stopwatch.GetTimestamp();
                        if (ok)
                        {
                            Latency.Record(histogram, sent, now);
                            run.Succeeded();
                            timeline?.Count(now);
                        }
                        else
                        {
                            run.Failed(connection.LastError);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested)
            {
                // The run's time is up: replies still in flight are neither successes nor errors.
            }
            return histogram;
        }

        return await run.RunAsync(o.Clients, Worker);
    }

    /// <summary>redis-benchmark's key shape for <c>-r</c>: "key:" and a 12-digit number.</summary>
    private static ReadOnlyMemory<byte> Key(long n) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"key:{n:D12}"));
}
