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
        using var run = new LoadRun(o.Label, operation, o.Requests, o.Duration, cancellationToken);

        async Task<LongHistogram> Worker(int seed)
        {
            var histogram = Latency.NewHistogram();
            var random = new Random(seed);
            while (!run.Stopping.IsCancellationRequested && run.Claim(1, out _) == 1)
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"key:{random.Next(o.KeySpace):D12}");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var message = isPut ? request.Put(key) : request.Get(key);
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, run.Stopping);
                    if (response.IsSuccessStatusCode || (!isPut && response.StatusCode == HttpStatusCode.NotFound))
                    {
                        Latency.Record(histogram, started, Stopwatch.GetTimestamp());
                        run.Succeeded();
                        continue;
                    }
                    run.Failed($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(run.Stopping)}");
                }
                catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    run.Failed(e.Message);
                }
            }
            return histogram;
        }

        return await run.RunAsync(o.Clients, Worker);
    }
}
