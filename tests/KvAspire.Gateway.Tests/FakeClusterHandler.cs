using System.Net;
using System.Text;
using System.Text.Json;

namespace KvAspire.Gateway.Tests;

/// <summary>Answers each node's <c>/cluster</c> from a table the test edits; a missing entry is a dead node.</summary>
internal sealed class FakeClusterHandler : HttpMessageHandler
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, (string Role, long Term)> reports = [];
    private readonly HashSet<string> hung = [];

    public static Uri AddressOf(string node) => new($"http://{node}.test/");

    public void Report(string node, string role, long term)
    {
        lock (gate)
        {
            reports[node] = (role, term);
            hung.Remove(node);
        }
    }

    public void Kill(string node)
    {
        lock (gate)
        {
            reports.Remove(node);
        }
    }

    public void Hang(string node)
    {
        lock (gate)
        {
            hung.Add(node);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var node = request.RequestUri!.Host.Split('.')[0];
        bool isHung;
        (string Role, long Term) report;
        bool alive;
        lock (gate)
        {
            isHung = hung.Contains(node);
            alive = reports.TryGetValue(node, out report);
        }
        if (isHung)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        if (!alive)
        {
            throw new HttpRequestException("Connection refused");
        }
        var json = JsonSerializer.Serialize(new { node, role = report.Role, state = "Normal", term = report.Term });
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
