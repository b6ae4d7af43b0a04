using System.Net.Http.Json;
using System.Text.Json;
using KvAspire.Chaos.Load;
using KvAspire.Contracts;

namespace KvAspire.Chaos.Cluster;

/// <summary>One poll of the gateway's <c>/cluster</c>: the primary it follows (null: none) and the highest term it knows.</summary>
public sealed record ClusterSample(long At, string? Primary, long Term);

/// <summary>Polls the gateway's <c>/cluster</c> through the run, for the report's elections and terms.</summary>
public sealed class ClusterMonitor(ChaosCluster cluster, History history)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly List<ClusterSample> _samples = [];

    public IReadOnlyList<ClusterSample> Samples
    {
        get
        {
            lock (_samples)
                return [.. _samples];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var gateway = await cluster.Control.GetFromJsonAsync<GatewayStatus>($"{cluster.GatewayUrl}/cluster", stop)
                              ?? throw new JsonException("the gateway's /cluster answered null");
                var sample = new ClusterSample(history.Now(), gateway.Primary, gateway.Term);
                lock (_samples)
                    _samples.Add(sample);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !stop.IsCancellationRequested))
            {
                // The gateway is restarting its view or slow under load: the next poll will tell.
            }
            try
            {
                await Task.Delay(Interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
