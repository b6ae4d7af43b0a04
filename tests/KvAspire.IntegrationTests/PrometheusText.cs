using System.Globalization;

namespace KvAspire.IntegrationTests;

/// <summary>Reads a value from a service's <c>/metrics</c> (Prometheus text format).</summary>
public static class PrometheusText
{
    /// <summary>The sum of every sample of <paramref name="name"/> (across label sets); 0 when absent.</summary>
    public static async Task<double> SumAsync(HttpClient service, string name)
    {
        var text = await service.GetStringAsync("/metrics");
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
                continue;
            sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
