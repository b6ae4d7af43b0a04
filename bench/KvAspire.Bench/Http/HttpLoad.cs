using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using HdrHistogram;

namespace KvAspire.Bench.Http;

/// <summary>Settings of one HTTP load run: the base URL (a node, the gateway or etcd), clients and keys.</summary>
public sealed record HttpLoadOptions(string BaseUrl, HttpApi Api, int Clients, long Requests, TimeSpan Duration,
    int ValueBytes, int KeySpace, TimeSpan Timeout, string Label, string? Password)
{
    public static HttpLoadOptions From(Args args) => new(
        args.Text("url", "http://localhost:5080"), args.Text("api", "kv") == "etcd" ? HttpApi.Etcd : HttpApi.Kv,
        args.Int("clients", 16), args.Int("requests", 20_000), args.Seconds("duration", 0), args.Int("value-bytes", 64),
        args.Int("keyspace", 100_000), args.Seconds("timeout", 5), args.Text("label", "http"), args.Password());
}

/// <summary>
/// PUT or GET load from N concurrent clients, each sending its next request when the previous one
/// answered (closed loop), over one shared connection pool with a connection per client.
/// A GET of a missing key (404) counts as a success: the key space is random, as with redis-benchmark.
/// </summary>
public static class HttpLoad
{
    /// <summary>
    /// The one place this tool makes HTTP clients: every request carries <c>Authorization: Bearer
    /// <paramref name="password"/></c> when one is given (KvAspire's nodes and gateway answer 401 without it).
    /// </summary>
    public static HttpClient NewClient(int connections, TimeSpan timeout, string? password)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        { Timeout = timeout };
        if (password is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", password);
        return client;
    }

    public static async Task<LoadResult> RunAsync(HttpLoadOptions o, string operation, CancellationToken cancellationToken)
    {
        using var client = NewClient(o.Clients, o.Timeout, o.Password);
        var request = HttpRequests.For(o.Api, o.BaseUrl, o.ValueBytes);
        var isPut = operation.Equals("put", StringComparison.OrdinalIgnoreCase);
        long issued = 0, done = 0, errors = 0;
        string? lastError = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (o.Duration > TimeSpan.Zero)
            stop.CancelAfter(o.Duration);
        var limit = o.Duration > TimeSpan.Zero ? long.MaxValue : o.Requests;

        async Task<LongHistogram> Worker(int seed)
        {
            var histogram = Latency.NewHistogram();
            var random = new Random(seed);
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref issued) <= limit)
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"key:{random.Next(o.KeySpace):D12}");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var message = isPut ? request.Put(key) : request.Get(key);
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, stop.Token);
                    if (response.IsSuccessStatusCode || (!isPut && response.StatusCode == HttpStatusCode.NotFound))
                    {
                        Latency.Record(histogram, started, Stopwatch.GetTimestamp());
                        Interlocked.Increment(ref done);
                        continue;
                    }
                    lastError = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(stop.Token)}";
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    lastError = e.Message;
                }
                Interlocked.Increment(ref errors);
            }
            return histogram;
        }

        var startedAll = Stopwatch.GetTimestamp();
        await using (new Progress($"{o.Label} {operation}", () => Interlocked.Read(ref done), () => Interlocked.Read(ref errors)))
        {
            var histograms = await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(i => Task.Run(() => Worker(i + 1))));
            return new LoadResult(o.Label, operation.ToUpperInvariant(), done, errors, Stopwatch.GetElapsedTime(startedAll),
                Latency.Merge(histograms), lastError);
        }
    }
}
